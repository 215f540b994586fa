import { api, unwrap } from '../api/client';

/** `GET /api/workspaces/:ws/keys`, cached under one key for every page that names keys (API keys, Usage). */
export function keysQueryKey(workspaceId: string) {
  return ['workspaces', workspaceId, 'keys'] as const;
}

export function fetchKeys(workspaceId: string) {
  return unwrap(api.GET('/api/workspaces/{ws}/keys', { params: { path: { ws: workspaceId } } }));
}

export type ApiKey = Awaited<ReturnType<typeof fetchKeys>>['keys'][number];
