export * from './app-process';
export * from './identity';
export * from './images';
export * from './paths';
export * from './services';
export * from './stores';
export * from './system';
export * from './until';
