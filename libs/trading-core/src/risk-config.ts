import type { ServiceConfig } from "@mms/contracts/runtime";

export type RiskConfig = ServiceConfig["risk"];
