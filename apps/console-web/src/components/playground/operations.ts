/** The public operations the playground offers, as API.md lists them: path and image fields (multipart). */
export const PLAYGROUND_OPERATIONS = ['faces.detect', 'faces.compare', 'labels.detect', 'text.detect'] as const;
export type PlaygroundOperation = (typeof PLAYGROUND_OPERATIONS)[number];

interface OperationCall {
  path: string;
  /** The multipart file fields, in the order of the form's inputs (Image, then Second image). */
  fields: readonly string[];
}

export const OPERATION_CALLS: Readonly<Record<PlaygroundOperation, OperationCall>> = {
  'faces.detect': { path: '/v1/faces/detect', fields: ['image'] },
  'faces.compare': { path: '/v1/faces/compare', fields: ['source', 'target'] },
  'labels.detect': { path: '/v1/labels/detect', fields: ['image'] },
  'text.detect': { path: '/v1/text/detect', fields: ['image'] },
};

export function isPlaygroundOperation(value: string): value is PlaygroundOperation {
  return (PLAYGROUND_OPERATIONS as readonly string[]).includes(value);
}

/** The operation's URL at the gateway, whatever trailing slash the configured address has. */
export function operationUrl(gatewayUrl: string, operation: PlaygroundOperation): string {
  return `${gatewayUrl.replace(/\/+$/, '')}${OPERATION_CALLS[operation].path}`;
}
