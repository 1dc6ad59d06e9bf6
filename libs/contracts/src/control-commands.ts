export const CONTROL_COMMANDS = ["kill", "pause", "resume", "reset", "shadow", "reduce"] as const;
export type ControlCommand = (typeof CONTROL_COMMANDS)[number];

/** Commands to a whole instance (`mms.control.instance.<instanceName>.<command>`), an MMS addition. */
export const INSTANCE_COMMANDS = ["drain"] as const;

/** Commands that must work with any body at all, or none. */
export const SAFE_CONTROL_COMMANDS: readonly ControlCommand[] = ["kill", "pause"];
