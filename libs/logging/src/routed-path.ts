import { pathOf } from './request-log';

/** What routedPath reads of a request: Fastify's request has it all (`url`, `params`, `routeOptions.url`). */
export interface RoutedRequest {
  url: string;
  params?: unknown;
  routeOptions: { url?: string };
}

/**
 * The path a request was routed on: its matched route with the parameters filled in, as the router decoded them.
 * Every spelling of one route (`/v1/labels/detec%74`, an absolute-form request line) logs as that route, so a
 * workspace's filter by path finds them all. A request no route matched keeps its own path. Never a query string.
 */
export function routedPath(request: RoutedRequest): string {
  const route = request.routeOptions.url;
  if (route === undefined) return pathOf(request.url);
  const params = (request.params ?? {}) as Record<string, string | undefined>;
  return route.replace(/:(\w+)(\([^)]*\))?|\*/g, (whole: string, name?: string) => params[name ?? '*'] ?? whole);
}
