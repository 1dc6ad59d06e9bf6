// What other packages (the bench) may use of the service; the service itself starts from main.ts.
export { sentIntents, SymbolStepper } from "./symbol-stepper";
