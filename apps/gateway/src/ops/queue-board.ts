import { timingSafeEqual } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const QUEUE_BOARD_PATH = '/ops/queues';
const REALM = 'Basic realm="nomosly ops", charset="UTF-8"';
/** Shown instead of every job's data and result: Bull Board is for counts and states, never for payloads. */
const NOT_SHOWN = '(not shown)';

/**
 * Bull Board at /ops/queues, behind HTTP Basic authentication (OPS_USERNAME / OPS_PASSWORD), read-only, and
 * with every job's data and return value replaced: an operator sees names, ids, states, timings and errors.
 */
export async function mountQueueBoard(
  app: NestFastifyApplication,
  queues: readonly Queue[],
  admin: { username: string; password: string },
): Promise<void> {
  const serverAdapter = new FastifyAdapter().setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({
    queues: queues.map((queue) => {
      const adapter = new BullMQAdapter(queue, { readOnlyMode: true, allowRetries: false });
      adapter.setFormatter('data', () => NOT_SHOWN);
      adapter.setFormatter('returnValue', () => NOT_SHOWN);
      return adapter;
    }),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'nomosly queues' } },
  });
  const boardPlugin = serverAdapter.registerPlugin();
  // The check is a hook of the board's own plugin scope, so it runs for every route of the board, whichever way
  // the request line spells it (percent-encoding, absolute form): the router, not the URL's text, decides.
  const guardedBoard = async (scope: FastifyInstance) => {
    scope.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      if (!isAdmin(request.headers.authorization, admin)) {
        await reply.code(401).header('www-authenticate', REALM).header('content-type', 'text/plain; charset=utf-8').send('Authentication required.');
      }
    });
    await scope.register(boardPlugin);
  };
  await app.register(guardedBoard as unknown as Parameters<typeof app.register>[0], { prefix: QUEUE_BOARD_PATH });
}

function isAdmin(authorization: string | undefined, admin: { username: string; password: string }): boolean {
  const match = /^Basic\s+(\S+)$/i.exec(authorization?.trim() ?? '');
  if (!match) return false;
  const presented = Buffer.from(Buffer.from(match[1], 'base64').toString('utf8'));
  const expected = Buffer.from(`${admin.username}:${admin.password}`);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}
