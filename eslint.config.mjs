// Layering is enforced here, not remembered: the domain libraries (contracts, trading
// core) stay pure, so a recorded run replays to the same decisions.
import eslint from "@eslint/js";
import tseslint from "typescript-eslint";

const adapterPackages = ["@nats-io/*", "winston", "@opentelemetry/*", "piscina", "testcontainers", "@mms/nats-adapter", "@mms/logging", "@mms/telemetry", "@mms/test-support"];
const nodeRuntime = ["node:*", "worker_threads", "timers", "timers/*", "fs", "fs/*", "net", "http", "os", "child_process", "crypto", "perf_hooks", "process"];

// A symbol worker thread loads no TypeBox: the code it runs takes values from the runtime
// entry only (types from either: they are erased). apps/mms/test/unit/worker-module-graph.test.ts checks the loaded graph.
const contractsRuntimeOnly = {
  name: "@mms/contracts",
  allowTypeImports: true,
  message: "Worker-side code imports values from @mms/contracts/runtime: the full entry builds every TypeBox schema at load.",
};
const noAppsFromLibraries = { group: ["@mms/service", "@mms/exchange-sim", "**/apps/**"], message: "Libraries never import apps." };

const pureDomainRules = {
  "no-restricted-imports": ["error", {
    paths: [contractsRuntimeOnly],
    patterns: [
      { group: adapterPackages, message: "Domain libraries are pure: no NATS, logging, telemetry or worker pools. Put I/O in an adapter lib or an app." },
      { group: nodeRuntime, message: "Domain libraries are pure: no threads, timers, clock, files or network. Inject them from the shell." },
    ],
  }],
  "no-restricted-globals": ["error",
    { name: "setTimeout", message: "No timers in the domain: time is an argument." },
    { name: "setInterval", message: "No timers in the domain: time is an argument." },
    { name: "setImmediate", message: "No timers in the domain: time is an argument." },
    { name: "queueMicrotask", message: "No scheduling in the domain." },
    { name: "performance", message: "No clock in the domain: time is an argument." },
    { name: "process", message: "No process access in the domain." },
    { name: "parseFloat", message: "Decimals stay big.js: never parse a price into a number." },
    { name: "crypto", message: "Ids and randomness are injected." },
  ],
  "no-restricted-properties": ["error",
    { object: "Date", property: "now", message: "No clock in the domain: pass `now` in." },
    { object: "Math", property: "random", message: "Randomness is injected." },
  ],
  "no-restricted-syntax": ["error",
    { selector: "NewExpression[callee.name='Date']", message: "No clock in the domain: pass `now` in." },
    { selector: "CallExpression[callee.name='Number']", message: "Decimals stay big.js: never turn a price or quantity into a number." },
    { selector: "CallExpression[callee.property.name='toNumber']", message: "Decimals stay big.js: never turn a price or quantity into a number." },
  ],
};

export default tseslint.config(
  { ignores: ["**/node_modules/**", "**/dist/**", "libs/contracts/src/generated/**", ".tools/**", "coverage/**", "bench/results/**"] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: "module" },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-explicit-any": "error",
      eqeqeq: ["error", "always"],
      "no-console": "off",
    },
  },
  { files: ["libs/contracts/src/**/*.ts", "libs/trading-core/src/**/*.ts"], rules: pureDomainRules },
  {
    // Libraries never reach up into apps.
    files: ["libs/**/*.ts"],
    ignores: ["libs/contracts/src/**", "libs/trading-core/src/**"],
    rules: { "no-restricted-imports": ["error", { patterns: [noAppsFromLibraries] }] },
  },
  { files: ["libs/nats-adapter/src/**/*.ts", "libs/telemetry/src/**/*.ts"], rules: { "no-restricted-imports": ["error", { paths: [contractsRuntimeOnly], patterns: [noAppsFromLibraries] }] } },
  {
    // The service's code runs in its worker threads too; only its config, recording and tool modules need the schemas.
    files: ["apps/mms/src/**/*.ts"],
    ignores: ["apps/mms/src/backtest/backtest.ts", "apps/mms/src/config-file.ts", "apps/mms/src/recording-schema.ts", "apps/mms/src/replay.ts"],
    rules: { "no-restricted-imports": ["error", { paths: [contractsRuntimeOnly] }] },
  },
  { files: ["**/*.mjs", "**/*.cjs", "**/*.js"], languageOptions: { globals: { process: "readonly", console: "readonly" } } },
);
