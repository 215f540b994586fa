// PLACEHOLDER until the generated client lands: `openapi-typescript` writes this file from the console's
// OpenAPI document (GET /api/openapi.json). Do not extend by hand.
export interface paths {
  '/api/me': {
    parameters: { query?: never; header?: never; path?: never; cookie?: never };
    get: {
      parameters: { query?: never; header?: never; path?: never; cookie?: never };
      requestBody?: never;
      responses: {
        200: {
          headers: { [name: string]: unknown };
          content: {
            'application/json': {
              user: { id: string; email: string; name: string | null; marketingOptIn: boolean; deletionScheduledFor: string | null; restricted: boolean };
              workspaces: { id: string; name: string; role: 'owner' | 'member' }[];
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
