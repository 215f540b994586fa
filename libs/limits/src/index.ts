export * from './calendar';
export * from './limits-store';
export * from './plans';
export * from './rate-limit-headers';
