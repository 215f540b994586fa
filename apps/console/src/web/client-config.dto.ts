import { z } from 'zod';

/** `GET /api/client-config`: what the web console needs before anyone signs in. Nothing here is secret. */
export const clientConfigSchema = z.object({
  issuer: z.string().meta({ description: 'The OpenID Connect issuer the console signs in with.' }),
  clientId: z.string().meta({ description: "The web console's own public client id at that issuer." }),
  audience: z.string().meta({ description: 'The audience of the Console API tokens.' }),
  scope: z.string(),
  gatewayUrl: z.string().meta({ description: 'The gateway the playground calls.' }),
});
export type ClientConfig = z.infer<typeof clientConfigSchema>;
