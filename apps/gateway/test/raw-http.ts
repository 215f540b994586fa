import net from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** From the first byte written to the connection's close. */
  elapsedMs: number;
}

export interface RawOptions {
  timeoutMs?: number;
  /** Another loopback address (127.0.0.2, say) makes the gateway see another client. */
  localAddress?: string;
}

/**
 * One HTTP/1.1 exchange on a socket of its own, with the request line written byte for byte: fetch would
 * normalise the URL (percent-encoding, dot segments, absolute form) before the server ever saw it. `send`
 * writes the request; the response is read until the server closes the connection (`connection: close`).
 */
export function rawExchange(
  port: number,
  send: (socket: net.Socket) => Promise<void> | void,
  { timeoutMs = 30_000, localAddress }: RawOptions = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress });
    const chunks: Buffer[] = [];
    const started = Date.now();
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer within ${timeoutMs} ms:\n${Buffer.concat(chunks).toString('latin1')}`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // The server may answer and close while the request is still being written (a refused upload).
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      try {
        resolve({ ...parseResponse(Buffer.concat(chunks)), elapsedMs: Date.now() - started });
      } catch (error) {
        reject(error);
      }
    });
    socket.once('connect', () => {
      Promise.resolve(send(socket)).catch(() => undefined);
    });
  });
}

/** A whole request (request line, headers, body) written at once. */
export function rawRequest(
  port: number,
  requestLine: string,
  headers: Record<string, string>,
  body: Buffer = Buffer.alloc(0),
  options: RawOptions = {},
): Promise<RawResponse> {
  return rawExchange(
    port,
    (socket) => {
      socket.write(requestHead(requestLine, { ...headers, 'content-length': String(body.length) }));
      socket.write(body);
    },
    options,
  );
}

export function requestHead(requestLine: string, headers: Record<string, string>): string {
  const lines = Object.entries({ host: '127.0.0.1', connection: 'close', ...headers }).map(([name, value]) => `${name}: ${value}`);
  return `${requestLine}\r\n${lines.join('\r\n')}\r\n\r\n`;
}

function parseResponse(bytes: Buffer): Omit<RawResponse, 'elapsedMs'> {
  const text = bytes.toString('latin1');
  const headEnd = text.indexOf('\r\n\r\n');
  if (headEnd === -1) throw new Error(`not an HTTP response: ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine, ...headerLines] = text.slice(0, headEnd).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const raw = bytes.subarray(Buffer.byteLength(text.slice(0, headEnd + 4), 'latin1'));
  const body = headers['transfer-encoding'] === 'chunked' ? dechunk(raw) : raw;
  return { status: Number(statusLine.split(' ')[1]), headers, body: body.toString('utf8') };
}

function dechunk(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', at);
    if (lineEnd === -1) break;
    const size = parseInt(raw.subarray(at, lineEnd).toString('latin1'), 16);
    if (!size) break;
    parts.push(raw.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
