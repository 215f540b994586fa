export * from './app-process';
export * from './images';
export * from './paths';
export * from './services';
export * from './stores';
export * from './system';
export * from './test-issuer';
export * from './until';
