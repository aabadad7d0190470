/** Operator plumbing (the operator's Kubernetes layer): workqueue, list+watch informer, leader election, the Cluster port. */
export type {
  ObjectKey,
  WorkQueue,
  Informer,
  InformerEvent,
  InformerHandler,
  LeaderElector,
  Cluster,
  EventInput,
  PatchStatusOptions,
  StatusPatch,
  ListResult,
  CreateResult,
  InformerOptions,
  LeaderElectorOptions,
} from "./types.js";
export { systemClock, FakeClock, type Clock, type TimerHandle } from "../../lib/clock.js";
export { objectKey, keyOf, splitKey } from "./keys.js";
export { itemBackoffMs, jitteredBackoffMs, TokenBucket, DEFAULT_BACKOFF, DEFAULT_BUCKET } from "./rate-limit.js";
export type { BackoffOptions, TokenBucketOptions } from "./rate-limit.js";
export { KeyWorkQueue, createWorkQueue, runWorkers } from "./workqueue.js";
export type { WorkQueueOptions } from "./workqueue.js";
export type { KubeObject } from "./types.js";
export { createInformer, ListWatchInformer } from "./informer.js";
export { withoutManagedFields } from "./slim.js";
export { createLeaderElector, LeaseLeaderElector, uniqueIdentity } from "./leader.js";
export { KubeCluster } from "./cluster.js";
export type { KubeClusterOptions, ResourceRef } from "./cluster.js";
export { createTranscodeJobCluster, createTranscodeJobInformer } from "./transcode-job-cluster.js";
export type { TranscodeJobCluster } from "./transcode-job-cluster.js";
export { operatorClusterRole, leaderElectionRole, operatorRules, leaderElectionRules, OPERATOR_ROLE_NAME, LEADER_ELECTION_ROLE_NAME } from "./rbac.js";
