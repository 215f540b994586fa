/** The four public operations. Values are stable identifiers used in jobs, metrics and usage events. */
export const Operation = Object.freeze({
  FacesDetect: 'faces.detect',
  FacesCompare: 'faces.compare',
  LabelsDetect: 'labels.detect',
  TextDetect: 'text.detect',
} as const);
export type Operation = (typeof Operation)[keyof typeof Operation];

export const OPERATIONS: readonly Operation[] = Object.freeze(Object.values(Operation));

export interface OperationSpec {
  readonly operation: Operation;
  readonly path: string;
  readonly scope: Scope;
  readonly units: number;
  /** Image fields in multipart and JSON bodies, in order. */
  readonly imageFields: readonly string[];
}

export const Scope = Object.freeze({
  FacesDetect: 'faces:detect',
  FacesCompare: 'faces:compare',
  LabelsDetect: 'labels:detect',
  TextDetect: 'text:detect',
} as const);
export type Scope = (typeof Scope)[keyof typeof Scope];

export const ALL_SCOPES: readonly Scope[] = Object.freeze(Object.values(Scope));

export const OPERATION_SPECS: Readonly<Record<Operation, OperationSpec>> = Object.freeze({
  [Operation.FacesDetect]: {
    operation: Operation.FacesDetect,
    path: '/v1/faces/detect',
    scope: Scope.FacesDetect,
    units: 1,
    imageFields: ['image'],
  },
  [Operation.FacesCompare]: {
    operation: Operation.FacesCompare,
    path: '/v1/faces/compare',
    scope: Scope.FacesCompare,
    units: 1,
    imageFields: ['source', 'target'],
  },
  [Operation.LabelsDetect]: {
    operation: Operation.LabelsDetect,
    path: '/v1/labels/detect',
    scope: Scope.LabelsDetect,
    units: 1,
    imageFields: ['image'],
  },
  [Operation.TextDetect]: {
    operation: Operation.TextDetect,
    path: '/v1/text/detect',
    scope: Scope.TextDetect,
    units: 1,
    imageFields: ['image'],
  },
});

export function isScope(value: string): value is Scope {
  return (ALL_SCOPES as readonly string[]).includes(value);
}
