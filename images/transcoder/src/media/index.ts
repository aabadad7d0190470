export { startTool, runTool, type InvokeOptions, type ToolProcess, type ToolRun } from "./invoke.js";
export { inputArgs, unhardenedReason, type MediaInput } from "./input.js";
export { acceptedContainer, isAcceptedDemuxer, refusedLabel, ACCEPTED_LABELS, type Container } from "./containers.js";
