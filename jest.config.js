/**
 * Four tiers, all run by `npm test` (the fault tier last, one file at a time):
 *  - unit: `src/**\/*.spec.ts`, `bench/**\/*.spec.ts` and `scripts/**\/*.spec.ts`, pure code, no services;
 *  - integration: `test/**\/*.int-spec.ts`, against the real PostgreSQL and Redis
 *    (each file gets its own freshly migrated database and its own queue prefix);
 *  - e2e: `test/**\/*.e2e-spec.ts`, the built entry points (HTTP API, CLI, worker) as processes;
 *  - fault: `test/fault/**\/*.fault-spec.ts`, the built processes while their PostgreSQL or Redis
 *    (private instances of the test's own) is restarted or flushed, or a process is killed;
 *    `npm test` runs it after the others with --runInBand;
 *  - pcsc: `test/pcsc/**\/*.pcsc-spec.ts`, through the real pcscd and vpcd's virtual readers (cards of ours
 *    plugged in over TCP); run with the fault tier, --runInBand (the two readers are shared by the machine).
 * A tier whose service is missing fails (never skips): see test/support/global-setup.ts.
 */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json' }];
const common = {
  transform: { '^.+\\.ts$': tsJest },
  testEnvironment: 'node',
  testEnvironmentOptions: { globalsCleanup: 'off' },
  moduleFileExtensions: ['ts', 'js', 'json'],
};

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/bench/**/*.spec.ts', '<rootDir>/scripts/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/support/timeouts.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/support/timeouts.ts'],
    },
    {
      ...common,
      displayName: 'fault',
      testMatch: ['<rootDir>/test/fault/**/*.fault-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/support/timeouts.ts'],
    },
    {
      ...common,
      displayName: 'pcsc',
      testMatch: ['<rootDir>/test/pcsc/**/*.pcsc-spec.ts'],
      globalSetup: '<rootDir>/test/support/pcsc-global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/support/timeouts.ts'],
    },
  ],
};
