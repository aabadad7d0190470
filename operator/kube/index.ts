/**
 * Operator plumbing (the operator's Kubernetes layer): workqueue, leader election, the Cluster port, RBAC. The
 * object keys, the list+watch informer and OwnWrites are shared with the API: lib/kube.
 */
export type {
  WorkQueue,
  LeaderElector,
  Cluster,
  EventInput,
  PatchStatusOptions,
  StatusPatch,
  ListResult,
  CreateResult,
  LeaderElectorOptions,
} from "./types.js";
export { systemClock, FakeClock, type Clock, type TimerHandle } from "../../lib/clock.js";
export { itemBackoffMs, TokenBucket, DEFAULT_BACKOFF, DEFAULT_BUCKET } from "./rate-limit.js";
export type { BackoffOptions, TokenBucketOptions } from "./rate-limit.js";
export { KeyWorkQueue, createWorkQueue, runWorkers } from "./workqueue.js";
export type { WorkQueueOptions } from "./workqueue.js";
export { createLeaderElector, LeaseLeaderElector, uniqueIdentity } from "./leader.js";
export { KubeCluster } from "./cluster.js";
export type { KubeClusterOptions, ResourceRef } from "./cluster.js";
export { createTranscodeJobCluster } from "./transcode-job-cluster.js";
export type { TranscodeJobCluster } from "./transcode-job-cluster.js";
export { operatorClusterRole, leaderElectionRole, operatorRules, leaderElectionRules, OPERATOR_ROLE_NAME, LEADER_ELECTION_ROLE_NAME } from "./rbac.js";
