/**
 * The public contract of the operator's Kubernetes plumbing (the operator's Kubernetes layer). The operator core codes against
 * these interfaces; unit tests of pure logic may implement them with doubles.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import type { Logger } from "../../lib/log.js";
import type { Clock } from "../../lib/clock.js";
import type { KubeObject, ObjectKey } from "../../lib/kube/index.js";

/** A deduplicating, rate-limited queue of keys; a key is never handed to two workers at once. */
export interface WorkQueue {
  /** Queue now (no-op if already queued; re-queued after done() if currently processing). */
  add(key: ObjectKey): void;
  /** Queue after `ms` (the earliest of several pending delays wins). */
  addAfter(key: ObjectKey, ms: number): void;
  /** Queue after the key's own exponential backoff and the global token bucket, whichever is later. */
  addRateLimited(key: ObjectKey): void;
  /**
   * Queue ahead of every key added otherwise (a second lane, handed out first). A key already queued moves up; one
   * being processed goes to the front once done. For the few keys that must not wait behind a backlog: the heads of
   * the admission queue when slots are free (at start-up the list queues every job, in no admission order).
   */
  addUrgent(key: ObjectKey): void;
  /** Reset the key's backoff (call after a successful reconcile). */
  forget(key: ObjectKey): void;
  /** How many times the key went through addRateLimited since its last forget(). */
  numRequeues(key: ObjectKey): number;
  /** The next key to process; waits while the queue is empty; undefined once shut down. */
  get(): Promise<ObjectKey | undefined>;
  /** Mark the key processed; if it was added meanwhile, it goes back into the queue. */
  done(key: ObjectKey): void;
  /** Stop handing out keys; pending get() calls resolve undefined; delayed adds are dropped. */
  shutDown(): void;
  readonly shuttingDown: boolean;
  /** Keys ready to be handed out (not counting delayed or processing ones). */
  readonly length: number;
  /** Keys currently handed out and not yet done(). */
  readonly processing: number;
}

export interface LeaderElector {
  /** Begin campaigning; resolves immediately (leadership is reported through the callbacks). */
  start(): Promise<void>;
  /** Stop campaigning; if leading, release the lease (holder cleared) and call onStoppedLeading. */
  stop(): Promise<void>;
  isLeader(): boolean;
  /** The lease's leaseTransitions while we hold it (fencing token for slot claims); undefined when not leading. */
  readonly epoch: number | undefined;
  /** The identity that currently holds the lease as last observed, if any. */
  readonly leader: string | undefined;
}

export interface EventInput {
  type: "Normal" | "Warning";
  /** CamelCase, e.g. "Admitted", "TaskFailed". */
  reason: string;
  message: string;
  /** Short verb for events.k8s.io `action`, defaults to reason. */
  action?: string;
}

export interface PatchStatusOptions {
  /** When set, the patch fails with a TransientError (409 Conflict) unless the object is still at this version. */
  resourceVersion?: string;
}

/** A merge patch of a status: named fields are set, `null` removes one, absent ones are kept. */
export type StatusPatch<S> = { [K in keyof S]?: S[K] | null };

export interface ListResult<T> {
  items: T[];
  resourceVersion: string;
}

export interface CreateResult<T> {
  /** false when an object of that name already existed (409 AlreadyExists); `object` is then the existing one. */
  created: boolean;
  object: T;
}

/**
 * The apiserver port for one custom resource kind. Every method maps errors the same way:
 * 404 -> `undefined` (NotFound result), 409/429/5xx/network -> TransientError (retryAfterMs from Retry-After),
 * 400/422/403 and other 4xx -> TerminalError.
 */
export interface Cluster<T extends KubeObject, S = unknown> {
  get(namespace: string, name: string): Promise<T | undefined>;
  /** Every page of the list (`pageSize` items a request, default 500). */
  list(namespace?: string, labelSelector?: string, pageSize?: number): Promise<ListResult<T>>;
  /** JSON merge patch of `.status` through the status subresource; a `null` field deletes it (RFC 7386). */
  patchStatus(namespace: string, name: string, status: StatusPatch<S>, options?: PatchStatusOptions): Promise<T | undefined>;
  /** Idempotent; JSON patch guarded by a `test` of resourceVersion (retried on conflict). */
  addFinalizer(namespace: string, name: string, finalizer?: string): Promise<T | undefined>;
  /** Idempotent; JSON patch guarded by a `test` of the finalizer's index. */
  removeFinalizer(namespace: string, name: string, finalizer?: string): Promise<T | undefined>;
  /** Best effort is the caller's choice: this throws like every other method. */
  emitEvent(regarding: T, event: EventInput): Promise<void>;
  create(object: T): Promise<CreateResult<T>>;
}

/** Options of createLeaderElector (operator/kube/leader.ts). */
export interface LeaderElectorOptions {
  kubeConfig: KubeConfig;
  /** Where the coordination.k8s.io/v1 Lease lives. */
  namespace: string;
  /** The Lease's name, e.g. "transcode-operator". */
  name: string;
  /** This replica's identity (pod name + random suffix). */
  identity: string;
  /** Defaults as client-go: 15 s lease, 10 s renew deadline, 2 s retry period. */
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** `signal` aborts when leadership is lost; `epoch` is the fencing token (leaseTransitions). */
  onStartedLeading: (epoch: number, signal: AbortSignal) => void;
  onStoppedLeading: () => void;
  onNewLeader?: (identity: string) => void;
  clock?: Clock;
  logger?: Logger;
}
