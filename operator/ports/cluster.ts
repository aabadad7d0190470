import type { JobObject, JobStatus } from "./job.js";

export interface JobEvent {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
}

/**
 * The apiserver as the reconciler needs it: a structural subset of operator/kube's Cluster<TranscodeJob>.
 * 404 -> undefined; conflicts/throttling/network -> TransientError; other 4xx -> TerminalError.
 */
export interface JobCluster<T extends JobObject = JobObject> {
  get(namespace: string, name: string): Promise<T | undefined>;
  /** JSON merge patch of .status through the status subresource. */
  patchStatus(namespace: string, name: string, status: Partial<JobStatus>): Promise<T | undefined>;
  addFinalizer(namespace: string, name: string, finalizer?: string): Promise<T | undefined>;
  removeFinalizer(namespace: string, name: string, finalizer?: string): Promise<T | undefined>;
  emitEvent(regarding: T, event: JobEvent): Promise<void>;
}

/** The informer cache: reconciles read their job from it. */
export interface JobLister<T extends JobObject = JobObject> {
  /** The cached object of "namespace/name". */
  get(key: string): T | undefined;
}
