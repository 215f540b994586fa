module.exports = {
  displayName: 'idp-local',
  preset: '../../jest.preset.js',
  rootDir: '.',
  // The specs run the built stand-in and CLI as processes, so dist/ must be current.
  globalSetup: '../../tools/scripts/jest-build-setup.js',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
