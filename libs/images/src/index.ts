export * from './decode';
export * from './inspect';
export * from './sniff';
