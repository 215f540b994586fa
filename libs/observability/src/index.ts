export * from './metrics';
export * from './ops.controller';
export * from './ops.module';
export * from './readiness';
export * from './vision-redis-settings';
export * from './vision-redis-check';
