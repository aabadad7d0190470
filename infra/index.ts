/** The components a platform team imports into its own stacks; `main.ts` is this project's own stack. */
export { Storage, type StorageArgs } from "./components/storage.js";
export { UploadTrigger, type UploadTriggerArgs } from "./components/upload-trigger.js";
export { TranscodeCluster, type TranscodeClusterArgs } from "./components/transcode-cluster.js";
export { Data, type DataArgs } from "./components/data.js";
export { ControlPlaneCluster, type ControlPlaneClusterArgs, AWS_ROLE_HOLDERS } from "./components/control-plane-cluster.js";
export { ControlPlaneRelease, type ControlPlaneReleaseArgs, type ReleaseValues } from "./components/control-plane-release.js";
export { VpcEndpoints, type VpcEndpointsArgs } from "./components/vpc-endpoints.js";
export { allowClient } from "./components/client-access.js";
export type { ControlPlaneValues, ProcessValues, PlainSetting, SecretSetting } from "./components/release-values.js";
export { controlPlaneValues, type ControlPlaneSettings } from "./wiring.js";
export { transcodePlatform } from "./program.js";
export { loadStackConfig, type StackConfig } from "./config.js";
export type { SecretRef, StackSecretRef, ReleaseSecretRef, VpcEndpointsRef, RedisClient } from "./types.js";
