import type { Config } from "jest";

const transform: Config["transform"] = {
  "^.+\\.ts$": ["@swc/jest", { jsc: { parser: { syntax: "typescript" }, target: "es2023" }, module: { type: "commonjs" } }],
};

// Tests import `@mms/*` from their TypeScript sources (the "@mms/source" export condition of
// every package.json), so a test sees the code as it is now. Whatever runs outside jest's
// module system (worker threads, the spawned service and simulator) is the compiled dist/,
// which the global setup brings up to date first.
const testEnvironmentOptions = { customExportConditions: ["@mms/source", "node", "node-addons"] };

// Unit tests are pure and fast; integration tests talk to a real NATS server in a
// container, so they get long timeouts and run one file at a time.
// Ignore patterns are anchored to <rootDir>: a bare "/integration/" would also match a
// checkout that sits under a folder named integration, and then no unit test would run.
const config: Config = {
  globalSetup: "<rootDir>/jest.global-setup.ts",
  projects: [
    {
      displayName: "unit",
      testEnvironment: "node",
      testEnvironmentOptions,
      transform,
      testMatch: ["<rootDir>/libs/*/test/**/*.test.ts", "<rootDir>/apps/*/test/unit/**/*.test.ts"],
      testPathIgnorePatterns: ["<rootDir>/node_modules/", "<rootDir>/(libs|apps)/[^/]+/test/integration/"],
    },
    {
      displayName: "integration",
      testEnvironment: "node",
      testEnvironmentOptions,
      transform,
      testMatch: ["<rootDir>/apps/*/test/integration/**/*.test.ts", "<rootDir>/libs/*/test/integration/**/*.test.ts", "<rootDir>/deploy/**/*.test.ts"],
      testPathIgnorePatterns: ["<rootDir>/node_modules/"],
      setupFilesAfterEnv: ["<rootDir>/jest.integration-setup.ts"],
      slowTestThreshold: 30,
    },
  ],
};

export default config;
