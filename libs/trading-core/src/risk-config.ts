import type { ServiceConfig } from "@mms/contracts";

export type RiskConfig = ServiceConfig["risk"];
