export * from './logger-options';
export * from './request-log';
export * from './routed-path';
