/**
 * The local identity provider stand-in (tools/idp-local) and the admin CLI's `dev-token` agree on these:
 * the CLI's client, and the development-only grant that issues a user's access token without a browser.
 */
export const DEV_TOKEN_GRANT_TYPE = 'urn:nomosly:params:oauth:grant-type:dev-token';
export const CLI_CLIENT_ID = 'nomosly-cli';
/**
 * The CLI client's secret when IDP_CLI_CLIENT_SECRET is unset, on both sides: development and tests only (the
 * stand-in's config schema refuses it otherwise).
 */
export const DEV_CLI_CLIENT_SECRET = 'dev-cli-secret';
export const CONSOLE_CLIENT_ID = 'nomosly-console';
