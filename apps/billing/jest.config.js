module.exports = {
  displayName: 'billing',
  preset: '../../jest.preset.js',
  rootDir: '.',
  // End-to-end specs run the built apps against a migrated test database.
  globalSetup: '../../tools/scripts/jest-global-setup.js',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
};
