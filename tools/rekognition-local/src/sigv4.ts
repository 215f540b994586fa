import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** SHA-256 in the shape the Smithy signer asks for (HMAC when given a secret). */
type SourceData = string | ArrayBuffer | ArrayBufferView;

const bytesOf = (data: SourceData): string | Uint8Array =>
  typeof data === 'string' ? data : data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);

class Sha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytesOf(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytesOf(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
}

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;

export type SignatureCheck = { ok: true } | { ok: false; type: 'MissingAuthenticationToken' | 'UnrecognizedClientException' | 'InvalidSignatureException'; message: string };

/**
 * Verifies an AWS Signature Version 4 the way AWS does for a JSON 1.1 service: the request is signed again
 * with the configured secret over the headers the client says it signed, and the signatures must match.
 */
export async function verifySignature(
  request: { method: string; path: string; headers: IncomingHttpHeaders; body: Buffer },
  credentials: Credentials,
  service = 'rekognition',
): Promise<SignatureCheck> {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? AUTHORIZATION.exec(header) : null;
  if (!match) return { ok: false, type: 'MissingAuthenticationToken', message: 'Missing or malformed Authorization header.' };
  const [, accessKeyId, , region, signedService, signedHeaderList, signature] = match;
  if (accessKeyId !== credentials.accessKeyId) {
    return { ok: false, type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
  }
  const amzDate = request.headers['x-amz-date'];
  if (signedService !== service || typeof amzDate !== 'string') {
    return { ok: false, type: 'InvalidSignatureException', message: 'The request signature is not for this service.' };
  }
  const signedHeaders = signedHeaderList.split(';');
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = request.headers[name];
    if (value === undefined) return { ok: false, type: 'InvalidSignatureException', message: `Signed header ${name} is missing.` };
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const signer = new SignatureV4({ service, region, credentials, sha256: Sha256, uriEscapePath: true });
  const signed = await signer.sign(
    { method: request.method, protocol: 'http:', hostname: headers.host ?? '', path: request.path, query: {}, headers, body: request.body },
    { signingDate: parseAmzDate(amzDate), signingRegion: region, signingService: service, unsignableHeaders: new Set() },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization ?? signed.headers.Authorization))?.[1] ?? '';
  const same = expected.length === signature.length && timingSafeEqual(Buffer.from(expected), Buffer.from(signature));
  if (!same) {
    return {
      ok: false,
      type: 'InvalidSignatureException',
      message: 'The request signature we calculated does not match the signature you provided.',
    };
  }
  return { ok: true };
}

function parseAmzDate(value: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])) : new Date(NaN);
}
