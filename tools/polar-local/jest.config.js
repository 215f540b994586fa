module.exports = {
  displayName: 'polar-local',
  preset: '../../jest.preset.js',
  rootDir: '.',
  // main.spec runs the built stand-in as a process, so dist/ must be current.
  globalSetup: '../../tools/scripts/jest-build-setup.js',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
