import { type RoutedRequest, routedPath } from './routed-path';

const request = (url: string, route: string | undefined, params: Record<string, string> = {}) =>
  ({ url, params, routeOptions: { url: route } }) satisfies RoutedRequest;

describe('routedPath', () => {
  it('is the matched route, whatever the spelling of the request line', () => {
    expect(routedPath(request('/v1/labels/detec%74?maxLabels=3', '/v1/labels/detect'))).toBe('/v1/labels/detect');
    expect(routedPath(request('http://x/v1/labels/detect', '/v1/labels/detect'))).toBe('/v1/labels/detect');
  });

  it('fills in route parameters and wildcards', () => {
    expect(routedPath(request('/ops/queues/api/queues/%76ision', '/ops/queues/api/queues/:queueName', { queueName: 'vision' }))).toBe(
      '/ops/queues/api/queues/vision',
    );
    expect(routedPath(request('/ops/queues/static/a.js', '/ops/queues/static/*', { '*': 'a.js' }))).toBe('/ops/queues/static/a.js');
  });

  it('keeps the path, without its query, of a request no route matched', () => {
    expect(routedPath(request('/nowhere?secret=1', undefined))).toBe('/nowhere');
  });
});
