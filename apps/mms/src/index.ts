// The service is run (dist/main.js, dist/cli.js), not imported; this is what the benchmarks drive in-process.
export { runService } from "./main";
export { sentIntents, SymbolStepper } from "./symbol-stepper";
