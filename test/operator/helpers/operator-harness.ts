import { randomUUID } from "node:crypto";
import { DescribeTasksCommand, ListTasksCommand, StopTaskCommand, type ECSClient, type Task } from "@aws-sdk/client-ecs";
import type { KubeConfig} from "@kubernetes/client-node";
import { CustomObjectsApi, type KubernetesObject } from "@kubernetes/client-node";
import { Redis } from "ioredis";
import { MongoClient, type Db } from "mongodb";
import { Registry } from "prom-client";
import { API_VERSION, GROUP, KIND, OWNER_LABEL, PLURAL, VERSION, type TenancyPolicy } from "../../../crds/index.js";
import { applyCrd } from "../../../lib/kube/index.js";
import { createLogger } from "../../../lib/log.js";
import { resultKey, RESULT_TTL_SECONDS, writeResult, type TaskResult } from "../../../lib/task-contract/index.js";
import { Operator } from "../../../operator/app/index.js";
import type { AdmissionSettings } from "../../../operator/controller/index.js";
import { EcsLauncher, type EcsLauncherOptions } from "../../../operator/launchers/ecs/index.js";
import type { JobObject } from "../../../operator/ports/index.js";
import { testEnv } from "../../env/index.js";
import { createNamespace, deleteNamespace, kubeConfig } from "../../crds/kube.js";
import { holdTasksRunning, restoreTaskTransitions, setupEcs } from "./ecs.js";
import { FaultProxy } from "../../support/fault-proxy.js";
import { poolKubeConnections } from "../../../lib/kube/index.js";

export const log = createLogger("operator-test", { level: process.env.TEST_LOG_LEVEL ?? "silent" });

export interface Suite {
  kc: KubeConfig;
  namespace: string;
  db: Db;
  mongo: MongoClient;
  /** Admin: the tests' own inspection. */
  redis: Redis;
  /** The operator's own user (lib/redis-acl): what an Operator of the suite reads with. */
  operatorRedis: Redis;
  /** The tasks' user: what the TaskPlayer writes results with, as a real task would. */
  taskRedis: Redis;
  ecs: ECSClient;
  ecsOptions: EcsLauncherOptions;
  proxy: FaultProxy;
  close(): Promise<void>;
}

/** Real apiserver (CRD applied, own namespace), own MongoDB database, Redis, an ECS cluster in moto. */
export async function openSuite(prefix: string): Promise<Suite> {
  const kc = kubeConfig();
  await applyCrd(kc);
  const namespace = await createNamespace(prefix);
  const mongo = new MongoClient(testEnv().mongo.url);
  await mongo.connect();
  const db = mongo.db(`${prefix}_${randomUUID().slice(0, 8)}`);
  const redis = new Redis(testEnv().redis.url, { maxRetriesPerRequest: 2 });
  redis.on("error", () => undefined); // a Redis restart under test: commands fail and are retried by their callers
  const operatorRedis = new Redis(testEnv().redis.clients.operator, { maxRetriesPerRequest: 2 });
  const taskRedis = new Redis(testEnv().redis.clients.task, { maxRetriesPerRequest: 2 });
  operatorRedis.on("error", () => undefined);
  taskRedis.on("error", () => undefined);
  const { ecs, options: ecsOptions } = await setupEcs(prefix);
  await holdTasksRunning();
  const server = new URL(kc.getCurrentCluster()!.server);
  const proxy = new FaultProxy({ host: server.hostname, port: Number(server.port) });
  await proxy.start();
  return {
    kc,
    namespace,
    db,
    mongo,
    redis,
    operatorRedis,
    taskRedis,
    ecs,
    ecsOptions,
    proxy,
    async close() {
      await restoreTaskTransitions().catch(() => undefined);
      await proxy.stop();
      await deleteNamespace(namespace);
      await db.dropDatabase().catch(() => undefined);
      await mongo.close();
      for (const r of [redis, operatorRedis, taskRedis]) r.disconnect();
      ecs.destroy();
    },
  };
}

/** A kubeconfig that reaches the apiserver through the suite's cuttable proxy. */
export function proxiedKubeConfig(s: Suite): KubeConfig {
  const kc = kubeConfig();
  const cluster = kc.getCurrentCluster()!;
  const url = new URL(cluster.server);
  url.port = String(s.proxy.port);
  kc.clusters = kc.clusters.map((c) => (c.name === cluster.name ? { ...c, server: url.toString().replace(/\/$/, "") } : c));
  return kc;
}

export interface OperatorOverrides {
  capacity?: number;
  viaProxy?: boolean;
  informer?: { idleTimeoutMs?: number; resyncPeriodMs?: number };
  /** Another ECS client (e.g. through a cuttable proxy). */
  ecs?: ECSClient;
  /** Other launcher options (e.g. a task definition that does not exist). */
  ecsOptions?: EcsLauncherOptions;
  /** Another Redis client (e.g. through a cuttable proxy). */
  redis?: Redis;
  startTimeoutMs?: number;
  stallTimeoutMs?: number;
  /** How often Starting/Running jobs are polled (250 ms unless set). */
  pollMs?: number;
  orphanSweep?: { everyMs: number; graceMs: number };
  /** The metrics registry (a replica that leads again reuses its process's). */
  registry?: Registry;
  /** Admission policy and owner limits (the Operator's default, fair without limits, unless set). */
  admission?: AdmissionSettings;
}

export function startOperator(s: Suite, over: OperatorOverrides = {}): Operator {
  const e = testEnv();
  const kc = over.viaProxy ? proxiedKubeConfig(s) : kubeConfig();
  // Pooled as operator/app/run.ts does in production (and with its response timeout).
  poolKubeConnections(kc);
  return new Operator({
    kubeConfig: kc,
    namespace: s.namespace,
    db: s.db,
    redis: over.redis ?? s.operatorRedis,
    launcher: new EcsLauncher(over.ecs ?? s.ecs, over.ecsOptions ?? s.ecsOptions),
    capacity: over.capacity ?? 5,
    workers: 8,
    reconcile: { pollMs: over.pollMs ?? 250, stopPollMs: 100, queuedPollMs: 1500, backoffBaseMs: 200, backoffMaxMs: 1000, defaultMaxAttempts: 3, defaultActiveDeadlineSeconds: 3600, startTimeoutMs: over.startTimeoutMs ?? 600_000, stallTimeoutMs: over.stallTimeoutMs ?? 300_000, tenancy: HARNESS_POLICY },
    // ECS: the task definition's secret supplies TJ_REDIS_URL (setupEcs); the operator never holds it.
    taskEnv: { redisUrl: undefined, region: e.ecs.region, s3: { endpoint: e.s3.endpoint, forcePathStyle: true } },
    epoch: () => 1,
    registry: over.registry ?? new Registry(),
    log,
    ...(over.informer ? { informer: over.informer } : {}),
    ...(over.orphanSweep ? { orphanSweep: over.orphanSweep } : {}),
    ...(over.admission ? { admission: over.admission } : {}),
  });
}

/**
 * What the simulated container does: after `after` ms it writes `result`, then lingers `exitLagMs` (default 0)
 * before its task is STOPPED, as real ECS tasks do between their exit and STOPPED. "hold" runs until stopped.
 */
export type Outcome = { after: number; result: TaskResult; exitLagMs?: number } | "hold";

/**
 * Plays the transcoder container for every task moto reports RUNNING in the suite's cluster: after the
 * policy's delay it writes the attempt's result to Redis (the task contract), then, after the policy's exit
 * lag, stops the task, as a real task's exit would. Samples how many tasks are alive (not STOPPED) at once.
 */
export class TaskPlayer {
  maxRunning = 0;
  samples = 0;
  /** Called at each sample with the job names of the tasks alive (not STOPPED) at that instant. */
  onSample: ((names: string[]) => void) | undefined;
  readonly seen = new Map<string, { uid: string; name: string; attempt: number; outputPrefix: string; firstSeen: number; resultAt?: number }>();
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(
    private readonly s: Suite,
    private readonly policy: (name: string, attempt: number) => Outcome,
  ) {}

  start(intervalMs = 100): void {
    this.timer = setInterval(() => void this.tick(), intervalMs);
  }
  stop(): void {
    clearInterval(this.timer);
  }

  /**
   * How long a StopTask of this task takes to reach moto (see EcsFaultProxy.stopDelayMs): until its container has
   * exited after its result and lingered its exit lag; a container stopped before its result exits within its lag.
   */
  stopDelayMs(task: string): number {
    const info = [...this.seen].find(([arn]) => arn === task || arn.endsWith(`/${task}`))?.[1];
    if (!info) return 0;
    const outcome = this.policy(info.name, info.attempt);
    const lag = outcome === "hold" ? 0 : (outcome.exitLagMs ?? 0);
    return info.resultAt === undefined ? lag : Math.max(0, info.resultAt + lag - Date.now());
  }

  async running(): Promise<Task[]> {
    const list = await this.s.ecs.send(new ListTasksCommand({ cluster: this.s.ecsOptions.cluster, desiredStatus: "RUNNING" }));
    const arns = list.taskArns ?? [];
    if (!arns.length) return [];
    const out: Task[] = [];
    for (let i = 0; i < arns.length; i += 100) {
      const d = await this.s.ecs.send(new DescribeTasksCommand({ cluster: this.s.ecsOptions.cluster, tasks: arns.slice(i, i + 100) }));
      out.push(...(d.tasks ?? []).filter((t) => t.lastStatus !== "STOPPED"));
    }
    return out;
  }

  /** Errors of the player's own calls (a Redis or moto restart under way): counted, and tried again next tick. */
  tickErrors = 0;

  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      await this.play();
    } catch {
      this.tickErrors++;
    } finally {
      this.busy = false;
    }
  }

  private async play(): Promise<void> {
    const tasks = await this.running();
    this.samples++;
    this.maxRunning = Math.max(this.maxRunning, tasks.length);
    this.onSample?.(tasks.map((t) => t.overrides?.containerOverrides?.[0]?.environment?.find((e) => e.name === "TJ_JOB_NAME")?.value ?? ""));
    const now = Date.now();
    for (const t of tasks) {
      const env = new Map((t.overrides?.containerOverrides?.[0]?.environment ?? []).map((e) => [e.name, e.value]));
      const arn = t.taskArn!;
      if (!this.seen.has(arn)) {
        const [uid, name, prefix] = ["TJ_JOB_UID", "TJ_JOB_NAME", "TJ_OUTPUT_PREFIX"].map((n) => env.get(n) ?? "") as [string, string, string];
        this.seen.set(arn, { uid, name, attempt: Number(env.get("TJ_ATTEMPT")), outputPrefix: prefix, firstSeen: now });
      }
      const info = this.seen.get(arn)!;
      const outcome = this.policy(info.name, info.attempt);
      if (outcome === "hold") continue;
      if (now - info.firstSeen < outcome.after) continue;
      if (info.resultAt === undefined) {
        await writeResult(this.s.taskRedis, info.uid, info.attempt, placed(outcome.result, info.outputPrefix));
        info.resultAt = Date.now();
      }
      if (Date.now() - info.resultAt < (outcome.exitLagMs ?? 0)) continue;
      await this.s.ecs.send(new StopTaskCommand({ cluster: this.s.ecsOptions.cluster, task: arn, reason: "Essential container in task exited" }));
    }
  }

  /**
   * Plays one task's exit now (for jobs held by the policy). `announce: false` writes the result without the
   * tj:results notice (as if the operator missed it); `exit: false` leaves the task running after its result;
   * `asIs: true` writes the outputs as given instead of under the task's TJ_OUTPUT_PREFIX (a lying task).
   */
  async finish(arn: string, result: TaskResult, o: { announce?: boolean; exit?: boolean; asIs?: boolean } = {}): Promise<void> {
    const info = this.seen.get(arn);
    if (!info) throw new Error(`task ${arn} not seen`);
    const written = o.asIs ? result : placed(result, info.outputPrefix);
    if (o.announce === false) await this.s.taskRedis.set(resultKey(info.uid, info.attempt), JSON.stringify(written), "EX", RESULT_TTL_SECONDS);
    else await writeResult(this.s.taskRedis, info.uid, info.attempt, written);
    if (o.exit !== false) await this.s.ecs.send(new StopTaskCommand({ cluster: this.s.ecsOptions.cluster, task: arn, reason: "Essential container in task exited" }));
  }

  /** The task of one attempt of job `name`, once it runs. */
  taskOfAttempt(name: string, attempt: number): string | undefined {
    for (const [arn, t] of this.seen) if (t.name === name && t.attempt === attempt) return arn;
    return undefined;
  }

  /** The task the player has seen for job `name`, once it runs. */
  taskOf(name: string): string | undefined {
    for (const [arn, t] of this.seen) if (t.name === name) return arn;
    return undefined;
  }
}

/** Output keys relative to the task's TJ_OUTPUT_PREFIX; the player writes them under it, as a real task does. */
export const ok: TaskResult = { ok: true, exitCode: 0, outputs: { masterPlaylist: "master.m3u8", renditions: [] } };

function placed(result: TaskResult, prefix: string): TaskResult {
  const o = result.outputs;
  if (!o) return result;
  const at = (key: string | undefined) => (key === undefined ? undefined : `${prefix}${key}`);
  return {
    ...result,
    outputs: {
      ...o,
      masterPlaylist: at(o.masterPlaylist),
      manifest: at(o.manifest),
      poster: at(o.poster),
      renditions: o.renditions.map((r) => ({ ...r, playlist: at(r.playlist), mp4: at(r.mp4) })),
    },
  };
}

/** The tenancy rule of the operator suites: user u's jobs (jobBody) keep it. */
export const HARNESS_POLICY: TenancyPolicy = {
  uploadsBuckets: ["uploads"],
  uploadsPrefix: "uploads/",
  outputsBucket: "outputs",
  outputsPrefix: "outputs/",
  namespacePrefix: "namespaces/",
};

/**
 * A job that keeps HARNESS_POLICY (unless `spec` or `labels` say otherwise): of user u, of `spec.owner`, or with
 * `owner: null` a namespace's own job (kubectl's: no owner, under the namespace prefix).
 */
export function jobBody(namespace: string, name: string, spec: Record<string, unknown> = {}, labels?: Record<string, string>): KubernetesObject & { spec: unknown } {
  const { owner: given, ...rest } = spec;
  if (given === null) {
    const prefix = `${HARNESS_POLICY.namespacePrefix}${namespace}/`;
    return {
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: { name, namespace, ...(labels ? { labels } : {}) },
      spec: { source: { bucket: "uploads", key: `${prefix}${name}/in.mp4` }, output: { bucket: "outputs", prefix: `${prefix}${name}/` }, ...rest },
    };
  }
  const owner = typeof given === "string" ? given : "u";
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name, namespace, labels: labels ?? { [OWNER_LABEL]: owner } },
    spec: { source: { bucket: "uploads", key: `uploads/${owner}/${name}/in.mp4` }, output: { bucket: "outputs", prefix: `outputs/${owner}/${name}/` }, owner, ...rest },
  };
}

export async function createJob(kc: KubeConfig, namespace: string, name: string, spec: Record<string, unknown> = {}, labels?: Record<string, string>): Promise<JobObject> {
  const api = kc.makeApiClient(CustomObjectsApi);
  return (await api.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, body: jobBody(namespace, name, spec, labels) })) as JobObject;
}

export async function getJob(kc: KubeConfig, namespace: string, name: string): Promise<JobObject | undefined> {
  const api = kc.makeApiClient(CustomObjectsApi);
  try {
    return (await api.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, name })) as JobObject;
  } catch {
    return undefined;
  }
}

export async function listJobs(kc: KubeConfig, namespace: string): Promise<JobObject[]> {
  const api = kc.makeApiClient(CustomObjectsApi);
  const res = (await api.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL })) as { items: JobObject[] };
  return res.items;
}

export async function deleteJob(kc: KubeConfig, namespace: string, name: string): Promise<void> {
  const api = kc.makeApiClient(CustomObjectsApi);
  await api.deleteNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, name });
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 90_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ""}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
