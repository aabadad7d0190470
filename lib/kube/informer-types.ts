/** The list+watch cache's contract (lib/kube/informer.ts); callers code against it, unit tests may implement it with doubles. */
import type { KubeConfig } from "@kubernetes/client-node";
import type { Registry } from "prom-client";
import type { Logger } from "../log.js";
import type { KubeObject, ObjectKey } from "./objects.js";

export type InformerEvent = "add" | "update" | "delete";
export type InformerHandler<T> = (obj: T, old?: T) => void;

/**
 * A list+watch cache of one resource. `update` fires on every change and on each periodic resync
 * (then old === obj's previous cached copy, possibly identical). `delete` gets the last known object.
 */
export interface Informer<T extends KubeObject> {
  on(event: InformerEvent, handler: InformerHandler<T>): void;
  off(event: InformerEvent, handler: InformerHandler<T>): void;
  /** Lists, fills the cache, emits `add` for every object, starts watching; resolves after that first sync. */
  start(): Promise<void>;
  /** Stops watching and every timer; idempotent. */
  stop(): Promise<void>;
  get(key: ObjectKey): T | undefined;
  list(): T[];
  /** True once the first list has been applied. */
  hasSynced(): boolean;
  /** False when not synced, stopped, or nothing (event, bookmark, list) came from the server for longer than staleAfterMs. */
  healthy(): boolean;
  /** The resourceVersion the next watch resumes from. */
  readonly resourceVersion: string | undefined;
}

/** Options of createInformer (lib/kube/informer.ts). */
export interface InformerOptions {
  kubeConfig: KubeConfig;
  group: string;
  version: string;
  plural: string;
  /** Watch one namespace; all namespaces when absent. */
  namespace?: string;
  labelSelector?: string;
  /** Re-emit every cached object as `update` this often; default 10 min; 0 disables. */
  resyncPeriodMs?: number;
  /** Server-side watch timeout (timeoutSeconds), randomised in [t, 2t) like client-go; default 300. */
  watchTimeoutSeconds?: number;
  /** Restart a watch that received nothing (not even a bookmark) for this long; default 90 s. */
  idleTimeoutMs?: number;
  /** healthy() turns false after this long without contact with the server; default 2 * idleTimeoutMs. */
  staleAfterMs?: number;
  /** Reconnect backoff: jittered exponential from initial to max; defaults 250 ms .. 30 s. */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** Page size of the initial list and of relists; default 500. */
  listPageSize?: number;
  /** Metric label and log name; default plural. */
  name?: string;
  registry?: Registry;
  logger?: Logger;
}

