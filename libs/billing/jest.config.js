module.exports = {
  displayName: 'billing-lib',
  preset: '../../jest.preset.js',
  rootDir: '.',
  globalSetup: '../../tools/scripts/jest-global-setup.js',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
