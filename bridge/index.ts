// The upload-stream -> TranscodeJob bridge (the upload-to-job contract, lib/uploads). main.ts is the entrypoint; this is what others may use.
export { Bridge, type BridgeOptions, type BridgeHealth } from "./consumer.js";
export { startBridgeApp, type BridgeApp } from "./app.js";
export { loadBridgeConfig, bridgeSettings, type BridgeConfig } from "./config.js";
export { KubeJobCreator, type JobCreator } from "./job-creator.js";
export { LegacyDrain, type LegacyDrainOptions } from "./legacy-drain.js";
export { BridgeMetrics } from "./metrics.js";
export { createFailureKind, afterFailure, claimedEntryAction, backoffMs, compareStreamIds, trimBefore } from "./decide.js";
