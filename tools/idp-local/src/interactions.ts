import type http from 'node:http';
import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';
import { z } from 'zod';
import { CONSOLE_CLIENT_ID } from '@nomosly/contracts';
import type { LocalAccounts } from './accounts';
import { escapeHtml, signInPage } from './sign-in-page';

const INTERACTION_PATH = /^\/interaction\/([\w-]+)(?:\/(login|abort))?$/;
const MAX_FORM_BYTES = 8 * 1024;

export interface InteractionOptions {
  /** What the sign-in form's Email field holds when it opens. */
  defaultEmail: string;
}

export function isInteractionPath(url: string | undefined): boolean {
  return (url ?? '').startsWith('/interaction/');
}

/**
 * The pages oidc-provider sends the browser to when it needs the user: the sign-in form (login prompt), and
 * consent, which is granted at once for the console, our own first-party client.
 */
export async function handleInteraction(
  provider: Provider,
  accounts: LocalAccounts,
  request: http.IncomingMessage,
  response: http.ServerResponse,
  { defaultEmail }: InteractionOptions,
): Promise<void> {
  const match = INTERACTION_PATH.exec(new URL(request.url ?? '/', 'http://stand-in').pathname);
  if (!match) return sendHtml(response, 404, messagePage('Not found.'));
  const [, uid, action] = match;
  const interaction = await provider.interactionDetails(request, response).catch(() => undefined);
  if (!interaction || interaction.uid !== uid) {
    return sendHtml(response, 400, messagePage('This sign-in has expired or was already used. Start again from the console.'));
  }
  const clientId = String(interaction.params.client_id);
  const clientName = (await provider.Client.find(clientId))?.clientName ?? clientId;
  const finish = (result: InteractionResults) => provider.interactionFinished(request, response, result, { mergeWithLastSubmission: false });

  if (request.method === 'GET' && !action) {
    if (interaction.prompt.name === 'consent') {
      if (clientId !== CONSOLE_CLIENT_ID || !interaction.session) {
        return finish({ error: 'access_denied', error_description: 'only the nomosly console may sign in here' });
      }
      const grantId = await grantRequestedAccess(provider, interaction, interaction.session.accountId);
      return provider.interactionFinished(request, response, { consent: { grantId } }, { mergeWithLastSubmission: true });
    }
    return sendHtml(response, 200, signInPage({ uid, clientName, email: defaultEmail }));
  }
  if (request.method === 'POST' && action === 'login' && interaction.prompt.name === 'login') {
    const form = new URLSearchParams(await readForm(request));
    const typedEmail = form.get('email')?.trim() ?? '';
    const name = form.get('name')?.trim().slice(0, 200) || undefined;
    const email = z.email().safeParse(typedEmail);
    if (!email.success) {
      return sendHtml(response, 400, signInPage({ uid, clientName, email: typedEmail, name, error: 'Enter an email address.' }));
    }
    const account = accounts.signIn(email.data, name);
    return finish({ login: { accountId: account.sub } });
  }
  if (request.method === 'POST' && action === 'abort') {
    return finish({ error: 'access_denied', error_description: 'the user cancelled the sign-in' });
  }
  return sendHtml(response, 405, messagePage('Not allowed.'));
}

/** Grants exactly what the authorization request asked for and the user has not granted yet. */
async function grantRequestedAccess(
  provider: Provider,
  interaction: Awaited<ReturnType<Provider['interactionDetails']>>,
  accountId: string,
): Promise<string> {
  const existing = interaction.grantId ? await provider.Grant.find(interaction.grantId) : undefined;
  const grant = existing ?? new provider.Grant({ accountId, clientId: CONSOLE_CLIENT_ID });
  const details = interaction.prompt.details as {
    missingOIDCScope?: string[];
    missingOIDCClaims?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };
  if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
  if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
  for (const [resource, scopes] of Object.entries(details.missingResourceScopes ?? {})) {
    grant.addResourceScope(resource, scopes.join(' '));
  }
  return grant.save();
}

async function readForm(request: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) break;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function messagePage(message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>nomosly (local)</title></head><body><p>${escapeHtml(message)}</p></body></html>\n`;
}

function sendHtml(response: http.ServerResponse, status: number, html: string): void {
  response.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
  });
  response.end(html);
}
