import type { FastifyRequest } from 'fastify';
import type { MultipartFile } from '@fastify/multipart';
import { ErrorCode, IMAGE_LIMITS, PublicError, type OperationSpec } from '@nomosly/contracts';

/** The images and the raw parameters of one call, whichever of the three input forms carried them. */
export interface ImageInput {
  images: Buffer[];
  params: Record<string, unknown>;
}

export const RAW_IMAGE_TYPES = ['image/jpeg', 'image/png'] as const;

/** Reads multipart, JSON base64 or a raw image body into the same shape (API.md "Images"). */
export async function readImageInput(request: FastifyRequest, spec: OperationSpec): Promise<ImageInput> {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const type = mediaTypeOf(request);
  if (type === 'multipart/form-data') return readMultipart(request, spec, query);
  if (type === 'application/json') return readJson(request.body, spec, query);
  if ((RAW_IMAGE_TYPES as readonly string[]).includes(type)) {
    if (spec.imageFields.length !== 1) {
      throw new PublicError(
        ErrorCode.UnsupportedMediaType,
        `A raw image body carries one image; send ${spec.imageFields.join(' and ')} as multipart/form-data or JSON.`,
      );
    }
    if (!Buffer.isBuffer(request.body)) throw new PublicError(ErrorCode.InvalidImage, 'The request body is empty.');
    return { images: [request.body], params: query };
  }
  throw new PublicError(
    ErrorCode.UnsupportedMediaType,
    type === ''
      ? 'The Content-Type header is missing: send multipart/form-data, application/json, image/jpeg or image/png.'
      : `Content-Type ${type} is not supported: send multipart/form-data, application/json, image/jpeg or image/png.`,
  );
}

function mediaTypeOf(request: FastifyRequest): string {
  return ((request.headers['content-type'] ?? '').split(';')[0] ?? '').trim().toLowerCase();
}

async function readMultipart(
  request: FastifyRequest,
  spec: OperationSpec,
  query: Record<string, unknown>,
): Promise<ImageInput> {
  const files = new Map<string, Buffer>();
  const params: Record<string, unknown> = { ...query };
  const fromForm = new Set<string>();
  // The first problem is kept and the rest of the form is still read (and thrown away): a form abandoned
  // halfway would leave the connection stalled on a file stream that nobody reads.
  let problem: PublicError | undefined;
  const refuse = (message: string) => (problem ??= new PublicError(ErrorCode.InvalidRequest, message));
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        const file = part as MultipartFile;
        const bytes = await file.toBuffer().catch((error: unknown) => {
          if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
            problem ??= new PublicError(ErrorCode.ImageTooLarge, `The ${safeName(file.fieldname)} is larger than 5 MiB.`);
            return null;
          }
          throw error;
        });
        if (problem || bytes === null) continue;
        if (!spec.imageFields.includes(file.fieldname)) refuse(`Unexpected file field "${safeName(file.fieldname)}"; expected ${expected(spec)}.`);
        else if (files.has(file.fieldname)) refuse(`The file field "${file.fieldname}" was sent twice.`);
        else files.set(file.fieldname, bytes);
      } else if (spec.imageFields.includes(part.fieldname)) {
        refuse(`The field "${part.fieldname}" must be a file.`);
      } else if (part.valueTruncated) {
        refuse(`The field "${safeName(part.fieldname)}" is too long.`);
      } else if (fromForm.has(part.fieldname)) {
        refuse(`The field "${safeName(part.fieldname)}" was sent twice.`);
      } else {
        fromForm.add(part.fieldname);
        params[part.fieldname] = part.value;
      }
    }
  } catch (error) {
    // The unread rest of the body is drained where every refusal is sent (sendError in @nomosly/http).
    if (error instanceof PublicError) throw error;
    const code = (error as { code?: string }).code;
    // Limits that @fastify/multipart names keep their mapping (413, 400); busboy's own errors have no code.
    if (typeof code === 'string' && code.startsWith('FST_')) throw error;
    throw new PublicError(ErrorCode.InvalidRequest, 'The multipart form is malformed.');
  }
  if (problem) throw problem;
  return { images: spec.imageFields.map((field) => required(files.get(field), field, spec)), params };
}

function readJson(body: unknown, spec: OperationSpec, query: Record<string, unknown>): ImageInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new PublicError(ErrorCode.InvalidRequest, `The JSON body must be an object with ${expected(spec)}.`);
  }
  const fields = body as Record<string, unknown>;
  const params: Record<string, unknown> = { ...query };
  for (const [name, value] of Object.entries(fields)) if (!spec.imageFields.includes(name)) params[name] = value;
  const images = spec.imageFields.map((field) => {
    const value = fields[field];
    if (value === undefined || value === null || value === '') return required(undefined, field, spec);
    if (typeof value !== 'string') {
      throw new PublicError(ErrorCode.InvalidRequest, `The field "${field}" must be a base64 string.`);
    }
    return decodeBase64(value, field);
  });
  return { images, params };
}

const DATA_URL = /^data:[a-z0-9.+/-]+;base64,/i;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;

export function decodeBase64(value: string, field: string): Buffer {
  const text = value.replace(DATA_URL, '').replace(/\s+/g, '');
  // A cheap bound before decoding: 4 base64 characters carry 3 bytes.
  if (Math.floor((text.length * 3) / 4) > IMAGE_LIMITS.maxBytes + 3) {
    throw new PublicError(ErrorCode.ImageTooLarge, `The ${field} is larger than 5 MiB after base64 decoding.`);
  }
  if (text.length % 4 === 1 || !(BASE64.test(text) || BASE64URL.test(text))) {
    throw new PublicError(ErrorCode.InvalidRequest, `The field "${field}" is not valid base64.`);
  }
  return Buffer.from(text, BASE64.test(text) ? 'base64' : 'base64url');
}

function required(buffer: Buffer | undefined, field: string, spec: OperationSpec): Buffer {
  if (!buffer || buffer.length === 0) {
    throw new PublicError(ErrorCode.InvalidRequest, `The "${field}" image is missing; expected ${expected(spec)}.`);
  }
  return buffer;
}

function expected(spec: OperationSpec): string {
  return spec.imageFields.map((field) => `"${field}"`).join(' and ');
}

/** Field names are echoed in messages; keep them short and printable. */
function safeName(name: string): string {
  return name.replace(/[^\w.-]/g, '?').slice(0, 40);
}
