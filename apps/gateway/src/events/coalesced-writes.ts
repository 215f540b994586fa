import type { Socket } from 'node:net';
import type Redis from 'ioredis';

/**
 * Makes a client send every command it is given within one turn of the event loop in a single socket write,
 * as node-redis does: the socket is corked at the turn's first command and uncorked in its check phase. A write
 * to Redis on loopback costs a system call that also runs the receiving side, and a call of the gateway sends
 * several commands at once (the image and its job; the slot's release and the request-log event), many calls
 * more under load. Commands, replies and their order are unchanged: only how many writes carry them.
 */
export function coalesceWrites<R extends Redis>(client: R): R {
  const send = client.sendCommand.bind(client);
  let corked: Socket | null = null;
  const uncork = () => {
    const socket = corked;
    corked = null;
    socket?.uncork();
  };
  client.sendCommand = (command, stream) => {
    // Only plain commands on a connection that is up: the handshake and pipelines write on their own.
    if (corked === null && stream === undefined && client.status === 'ready' && client.stream) {
      corked = client.stream as Socket;
      corked.cork();
      setImmediate(uncork);
    }
    return send(command, stream);
  };
  return client;
}
