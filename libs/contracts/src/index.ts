export * from './errors';
export * from './image-limits';
export * from './key-events';
export * from './operations';
export * from './params';
export * from './queues';
export * from './results';
export * from './vision-job';
