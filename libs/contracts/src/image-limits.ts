/** Input limits of API.md, shared by the gateway (early refusal) and the worker (after decoding). */
export const IMAGE_LIMITS = Object.freeze({
  maxBytes: 5 * 1024 * 1024,
  minSide: 80,
  maxSide: 4096,
});

export const SUPPORTED_IMAGE_FORMATS = Object.freeze(['jpeg', 'png'] as const);
export type ImageFormat = (typeof SUPPORTED_IMAGE_FORMATS)[number];
