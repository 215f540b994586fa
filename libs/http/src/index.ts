export * from './error-body';
export * from './exception.filter';
export * from './fastify-app';
export * from './body-parsers';
export * from './nest-app';
export * from './security-headers';
