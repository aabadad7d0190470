/** Operator plumbing (contract 5): workqueue, list+watch informer, leader election, the Cluster port. */
export type {
  Clock,
  TimerHandle,
  ObjectKey,
  WorkQueue,
  Informer,
  InformerEvent,
  InformerHandler,
  LeaderElector,
  Cluster,
  EventInput,
  PatchStatusOptions,
  ListResult,
  CreateResult,
  InformerOptions,
  LeaderElectorOptions,
} from "./types.js";
export { systemClock, FakeClock } from "./clock.js";
export { objectKey, keyOf, splitKey } from "./keys.js";
export { itemBackoffMs, jitteredBackoffMs, TokenBucket, DEFAULT_BACKOFF, DEFAULT_BUCKET } from "./rate-limit.js";
export type { BackoffOptions, TokenBucketOptions } from "./rate-limit.js";
export { KeyWorkQueue, createWorkQueue, runWorkers } from "./workqueue.js";
export type { WorkQueueOptions } from "./workqueue.js";
