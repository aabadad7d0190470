import { hostname } from "node:os";
import { join } from "node:path";
import { ECSClient } from "@aws-sdk/client-ecs";
import { Redis } from "ioredis";
import { collectDefaultMetrics, Registry } from "prom-client";
import { fragments as f } from "../../lib/config/index.js";
import type { Logger } from "../../lib/log.js";
import type { OperatorConfig } from "../config/index.js";
import { startHealthServer } from "../../lib/http/index.js";
import { loadKubeConfig, poolKubeConnections } from "../../lib/kube/index.js";
import { isMongoUnreachable, MongoConnection } from "../../lib/store/index.js";
import { createLeaderElector, uniqueIdentity, type LeaderElector } from "../kube/index.js";
import { EcsLauncher } from "../launchers/ecs/index.js";
import { InFlightLaunches } from "../launchers/in-flight.js";
import { LocalLauncher } from "../launchers/local/index.js";
import type { TaskLauncher } from "../ports/index.js";
import { Operator } from "./operator.js";

export interface RunningOperator {
  /** The port /healthz, /readyz and /metrics listen on. */
  port: number;
  isLeader(): boolean;
  /** The Operator while leading (undefined on a standby). */
  current(): Operator | undefined;
  /**
   * Graceful stop: the fence is revoked, launches already past it are answered, the lease is released (a standby
   * leads at once), then the in-flight reconciles finish and connections close. Idempotent.
   */
  stop(): Promise<void>;
}

function makeLauncher(cfg: OperatorConfig, log: Logger): TaskLauncher {
  if (cfg.LAUNCHER === "local") {
    const stateDir = cfg.LOCAL_TASK_STATE_DIR;
    return new LocalLauncher({
      command: cfg.LOCAL_TASK_COMMAND ?? [],
      stateDir,
      // With a state directory a task writes its own log file, so it outlives this process's stdout.
      output: stateDir ? { dir: join(stateDir, "logs") } : "inherit",
      log: log.child({ component: "local-launcher" }),
    });
  }
  const ecs = new ECSClient({ region: cfg.AWS_REGION, ...(cfg.AWS_ENDPOINT_URL_ECS ? { endpoint: cfg.AWS_ENDPOINT_URL_ECS } : {}) });
  return new EcsLauncher(ecs, {
    cluster: cfg.ECS_CLUSTER ?? "",
    taskDefinition: cfg.ECS_TASK_DEFINITION ?? "",
    containerName: cfg.ECS_CONTAINER_NAME,
    subnets: cfg.ECS_SUBNETS ?? [],
    securityGroups: cfg.ECS_SECURITY_GROUPS,
    assignPublicIp: cfg.ECS_ASSIGN_PUBLIC_IP,
    ...(cfg.TASK_REDIS_SECRET_ARN ? { secrets: { TJ_REDIS_URL: cfg.TASK_REDIS_SECRET_ARN } } : {}),
  });
}

/**
 * The whole operator process minus signal handling: connections, health server, leader election, and an
 * Operator that runs only while this replica leads (its epoch fences slot claims).
 */
export async function runOperator(cfg: OperatorConfig, log: Logger): Promise<RunningOperator> {
  const kubeConfig = loadKubeConfig(cfg.KUBECONFIG);
  // client-node 2.0 opens a new TLS connection per request; the bench found ~40% of the operator's CPU there.
  const kubePools = poolKubeConnections(kubeConfig);
  const mongo = new MongoConnection(cfg.MONGODB_URL, log.child({ component: "mongo" }), { client: { serverSelectionTimeoutMS: 10_000 } });
  await mongo.connect();
  const redis = new Redis(cfg.REDIS_URL, { maxRetriesPerRequest: 3 });
  redis.on("error", (err: Error) => log.warn({ err: err.message }, "redis connection error"));
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const launcher = new InFlightLaunches(makeLauncher(cfg, log));
  // The lease identity is unique per process even when replicas share a POD_NAME; Events name the pod.
  const podName = cfg.POD_NAME ?? hostname();
  const identity = uniqueIdentity(podName);

  let operator: Operator | undefined;
  let epoch: number | undefined;
  let elector: LeaderElector | undefined;
  let stopping: Promise<void> | undefined;
  /** Set first thing on stop: from then on this process claims, launches and releases nothing. */
  let revoked = false;
  /** Operators stopping in the background (fenced, deposed, replaced); stop() waits for them. */
  const retiring = new Set<Promise<void>>();
  const retire = (op: Operator | undefined): Promise<void> => {
    if (!op) return Promise.resolve();
    const p: Promise<void> = op
      .stop()
      .catch((err: unknown) => log.error({ err: (err as Error).message }, "operator stop failed"))
      .finally(() => retiring.delete(p));
    retiring.add(p);
    return p;
  };
  /** True while lead() is (re)trying to start an Operator. */
  let starting = false;

  const makeOperator = (): Operator =>
    new Operator({
      kubeConfig,
      namespace: cfg.WATCH_ALL_NAMESPACES ? undefined : cfg.JOBS_NAMESPACE,
      db: mongo.db(cfg.MONGODB_DATABASE),
      redis,
      launcher,
      capacity: cfg.MAX_CONCURRENT_TASKS,
      workers: cfg.WORKERS,
      admission: {
        policy: { kind: cfg.ADMISSION_POLICY, maxRunningPerOwner: cfg.OWNER_MAX_RUNNING, maxRunningByNamespace: cfg.OWNER_MAX_RUNNING_BY_NAMESPACE },
        halfLifeMs: cfg.FAIR_SHARE_HALF_LIFE_SECONDS * 1000,
        topOwners: cfg.OWNER_METRICS_TOP_N,
      },
      reconcile: {
        pollMs: cfg.POLL_MS,
        stopPollMs: cfg.STOP_POLL_MS,
        queuedPollMs: cfg.QUEUED_POLL_MS,
        backoffBaseMs: cfg.RETRY_BACKOFF_BASE_MS,
        backoffMaxMs: cfg.RETRY_BACKOFF_MAX_MS,
        defaultMaxAttempts: cfg.DEFAULT_MAX_ATTEMPTS,
        defaultActiveDeadlineSeconds: cfg.DEFAULT_ACTIVE_DEADLINE_SECONDS,
        startTimeoutMs: cfg.TASK_START_TIMEOUT_SECONDS * 1000,
        stallTimeoutMs: cfg.TASK_STALL_TIMEOUT_SECONDS * 1000,
        tenancy: f.tenancyPolicyOf(cfg),
      },
      taskEnv: {
        // The tasks' own credential, never the operator's REDIS_URL; undefined with ECS (the task definition's secret).
        redisUrl: cfg.TASK_REDIS_URL,
        region: cfg.AWS_REGION,
        s3: cfg.S3_ENDPOINT ? { endpoint: cfg.S3_ENDPOINT, forcePathStyle: cfg.S3_FORCE_PATH_STYLE } : undefined,
        limits: {
          maxSourceBytes: cfg.UPLOAD_MAX_BYTES,
          maxDurationSeconds: cfg.MEDIA_MAX_DURATION_SECONDS,
          maxPixelsPerFrame: cfg.MEDIA_MAX_FRAME_PIXELS,
          maxFrameRate: cfg.MEDIA_MAX_FRAME_RATE,
          maxOutputBytes: cfg.OUTPUT_MAX_BYTES,
          probeTimeoutSeconds: cfg.PROBE_TIMEOUT_SECONDS,
          wallClockBaseSeconds: cfg.TRANSCODE_BUDGET_BASE_SECONDS,
          wallClockSecondsPerMediaSecond: cfg.TRANSCODE_BUDGET_SECONDS_PER_MEDIA_SECOND,
        },
      },
      // The epoch this Operator was started for, while the elector still holds the lease by its own clock.
      epoch: () => (!revoked && epoch !== undefined && (!cfg.LEADER_ELECTION || elector?.epoch === epoch) ? epoch : undefined),
      registry,
      log,
      informer: { idleTimeoutMs: cfg.WATCH_IDLE_TIMEOUT_MS, resyncPeriodMs: cfg.RESYNC_PERIOD_MS },
      instance: podName,
      onFenced: () => {
        // Another replica admitted with a newer epoch: stop at once; the elector will notice the lost lease.
        const op = operator;
        operator = undefined;
        epoch = undefined;
        void retire(op);
      },
    });

  // Starts an Operator for epoch `e`, and again every few seconds while this replica still leads with that epoch
  // and the start fails (the apiserver or MongoDB restarting): a leader that holds the lease but runs no
  // Operator would keep every other replica from admitting anything.
  const lead = async (e: number) => {
    epoch = e;
    starting = true;
    try {
      for (let retryMs = 1_000; epoch === e && stopping === undefined; retryMs = Math.min(retryMs * 2, 15_000)) {
        const op = makeOperator();
        operator = op;
        try {
          await op.start();
          return;
        } catch (err) {
          log.error({ err: (err as Error).message, retryMs }, "operator failed to start; trying again while leading");
          if (operator === op) operator = undefined;
          await op.stop().catch(() => undefined);
          // The client may be the one that is stuck (MongoConnection says how): try a fresh one before the next start.
          if (isMongoUnreachable(err)) await mongo.renew();
        }
        await new Promise((r) => setTimeout(r, retryMs).unref());
      }
    } finally {
      starting = false;
    }
  };
  // A running Operator holds a Db of the replaced client: start a new one for the same epoch (entering it again is
  // idempotent, so the fence is unchanged).
  mongo.on("renewed", () => {
    const e = epoch;
    const op = operator;
    if (e === undefined || starting || !op) return;
    operator = undefined;
    void retire(op)
      .then(() => (epoch === e && stopping === undefined ? lead(e) : undefined))
      .catch((err: unknown) => log.error({ err: (err as Error).message }, "leading failed"));
  });
  const unlead = async () => {
    epoch = undefined;
    const op = operator;
    operator = undefined;
    await retire(op);
  };

  const health = await startHealthServer({
    host: cfg.HTTP_HOST,
    port: cfg.HTTP_PORT,
    live: () => ({ ok: stopping === undefined }),
    ready: () => {
      if (stopping) return { ok: false, reason: "shutting down" };
      if (cfg.LEADER_ELECTION && !elector?.isLeader()) return { ok: true, details: { role: "standby" } }; // ready to take over
      if (!operator) return { ok: false, reason: "starting" };
      return operator.ready() ? { ok: true, details: { role: "leader" } } : { ok: false, reason: "watch is stale or not synced" };
    },
    registry,
    log,
  });
  const port = health.port;
  log.info({ port, identity, launcher: launcher.kind }, "health server listening");

  if (cfg.LEADER_ELECTION) {
    elector = createLeaderElector({
      kubeConfig,
      namespace: cfg.LEASE_NAMESPACE,
      name: cfg.LEASE_NAME,
      identity,
      leaseDurationMs: cfg.LEASE_DURATION_SECONDS * 1000,
      renewDeadlineMs: cfg.LEASE_RENEW_DEADLINE_SECONDS * 1000,
      retryPeriodMs: cfg.LEASE_RETRY_PERIOD_SECONDS * 1000,
      logger: log.child({ component: "leader" }),
      onStartedLeading: (e) => {
        log.info({ epoch: e }, "leading");
        lead(e).catch((err: unknown) => log.error({ err: (err as Error).message }, "leading failed"));
      },
      onStoppedLeading: () => {
        log.warn("lost leadership: stopping admission");
        void unlead();
      },
    });
    await elector.start();
  } else {
    await lead(0);
  }

  return {
    port,
    isLeader: () => (cfg.LEADER_ELECTION ? (elector?.isLeader() ?? false) : true),
    current: () => operator,
    stop: () =>
      (stopping ??= (async () => {
        const errors: unknown[] = [];
        // A handover as quick as after a crash, without a crash's risk. Revoked, the fence refuses every claim,
        // launch and release (in-flight reconciles fail at their next one), so the lease can go before they end;
        // only a RunTask already on the wire must be answered first, for the next leader to find its task.
        revoked = true;
        if (!(await launcher.settled(cfg.LEASE_RENEW_DEADLINE_SECONDS * 1000))) {
          log.warn({ launches: launcher.inProgress }, "a launch is still unanswered; releasing the lease anyway, as a crash would");
        }
        await elector?.stop().catch((e: unknown) => errors.push(e));
        await unlead().catch((e: unknown) => errors.push(e));
        await Promise.all(retiring);
        await health.close().catch((e: unknown) => errors.push(e));
        await mongo.close().catch((e: unknown) => errors.push(e));
        await kubePools.close();
        redis.disconnect();
        if (errors.length) throw new AggregateError(errors, "shutdown had failures");
      })()),
  };
}
