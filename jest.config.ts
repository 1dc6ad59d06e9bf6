import type { Config } from "jest";

const transform: Config["transform"] = {
  "^.+\\.ts$": ["@swc/jest", { jsc: { parser: { syntax: "typescript" }, target: "es2023" }, module: { type: "commonjs" } }],
};

// Unit tests are pure and fast; integration tests talk to a real NATS server in a
// container, so they get long timeouts and run one file at a time.
const config: Config = {
  projects: [
    {
      displayName: "unit",
      testEnvironment: "node",
      transform,
      testMatch: ["<rootDir>/libs/*/test/**/*.test.ts", "<rootDir>/apps/*/test/unit/**/*.test.ts"],
      testPathIgnorePatterns: ["/node_modules/", "/integration/"],
    },
    {
      displayName: "integration",
      testEnvironment: "node",
      transform,
      testMatch: ["<rootDir>/apps/*/test/integration/**/*.test.ts", "<rootDir>/libs/*/test/integration/**/*.test.ts", "<rootDir>/deploy/**/*.test.ts"],
      setupFilesAfterEnv: ["<rootDir>/jest.integration-setup.ts"],
      slowTestThreshold: 30,
    },
  ],
};

export default config;
