import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type JWK, exportJWK, generateKeyPair } from 'jose';

/**
 * The RS256 key pair the stand-in signs tokens with, made at first start and kept in `file`, so a restart
 * keeps every token it issued valid (the JWKS stays the same). The file holds a private key: mode 0600.
 */
export async function loadOrCreateSigningKey(file: string): Promise<JWK> {
  const existing = await readKeyFile(file);
  if (existing) return existing;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
  const jwk: JWK = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'RS256', use: 'sig' };
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify({ keys: [jwk] }, null, 2)}\n`, { mode: 0o600 });
  return jwk;
}

async function readKeyFile(file: string): Promise<JWK | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const key = (JSON.parse(text) as { keys?: JWK[] }).keys?.[0];
  if (key?.kty !== 'RSA' || !key.d || !key.kid) throw new Error(`${file} holds no RS256 private key; delete it to make a new one`);
  return key;
}
