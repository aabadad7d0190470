import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CoordinationV1Api } from "@kubernetes/client-node";
import { DescribeTasksCommand, ListTasksCommand, type ECSClient, type Task } from "@aws-sdk/client-ecs";
import { testEnv, testStack } from "../env/index.js";
import { EcsFaultProxy } from "../support/ecs-fault-proxy.js";
import { FaultProxy } from "../support/fault-proxy.js";
import { openSuite, TaskPlayer, type Outcome, type Suite } from "../operator/helpers/operator-harness.js";
import { cacheDir } from "../../stack/versions.js";
import { TASK_REDIS_SECRET_ARN } from "../operator/helpers/ecs.js";
import { Replica } from "./replica.js";

export interface ChaosOptions {
  replicas: number;
  /** POD_NAME of each replica (default operator-<i>). */
  podName?: (i: number) => string;
  /** Extra operator settings for every replica. */
  env?: Record<string, string>;
  policy: (name: string, attempt: number) => Outcome;
  /** The owner key of a job by name (as the operator counts owners), to sample tasks alive per owner. */
  ownerOf?: (name: string) => string;
}

export type FaultKind = "kill-leader" | "pause-leader" | "stop-leader" | "apiserver-restart" | "redis-restart" | "mongo-restart" | "leader-mongo-cut" | "ecs-throttle";

export const FAULT_KINDS: readonly FaultKind[] = ["kill-leader", "pause-leader", "stop-leader", "apiserver-restart", "redis-restart", "mongo-restart", "leader-mongo-cut", "ecs-throttle"];

/** One injected fault: when, on whom, and (for the leader faults) when a new leader next admitted a job. */
export interface FaultRecord {
  kind: FaultKind;
  at: number;
  replica?: string | undefined;
  detail?: string;
}

/**
 * Several operator processes with leader election against the real apiserver, FerretDB, Redis and the ECS
 * emulator, each replica reaching MongoDB through a TCP fault proxy of its own and ECS through an API fault
 * proxy, and a TaskPlayer that plays every task's container and samples how many tasks are alive.
 */
export class ChaosCluster {
  readonly replicas: Replica[] = [];
  readonly lease = "transcode-operator";
  readonly faults: FaultRecord[] = [];
  /** Most tasks alive at one sampled instant, per owner (with options.ownerOf). */
  readonly maxPerOwner = new Map<string, number>();
  player!: TaskPlayer;
  ecsProxy!: EcsFaultProxy;
  private readonly mongoProxies: FaultProxy[] = [];

  private constructor(
    readonly suite: Suite,
    private readonly options: ChaosOptions,
  ) {}

  static async open(prefix: string, options: ChaosOptions): Promise<ChaosCluster> {
    const c = new ChaosCluster(await openSuite(prefix), options);
    c.ecsProxy = await new EcsFaultProxy(testEnv().ecs.endpoint).start();
    c.player = new TaskPlayer(c.suite, options.policy);
    const ownerOf = options.ownerOf;
    if (ownerOf) {
      c.player.onSample = (names) => {
        const now = new Map<string, number>();
        for (const n of names) now.set(ownerOf(n), (now.get(ownerOf(n)) ?? 0) + 1);
        for (const [o, k] of now) c.maxPerOwner.set(o, Math.max(c.maxPerOwner.get(o) ?? 0, k));
      };
    }
    c.ecsProxy.faults.stopDelayMs = (task) => c.player.stopDelayMs(task);
    // Outside the run's own directory (pruned to the last five runs): what to read when a chaos run fails.
    const logDir = join(cacheDir, "logs", `chaos-${new Date().toISOString().replace(/[:.]/g, "-")}-${c.suite.namespace}`);
    for (let i = 0; i < options.replicas; i++) {
      const mongo = await FaultProxy.to(testEnv().mongo.url).start();
      c.mongoProxies.push(mongo);
      c.replicas.push(new Replica(`replica-${i}`, c.replicaEnv(options.podName?.(i) ?? `operator-${i}`, `mongodb://127.0.0.1:${mongo.port}/`), logDir));
    }
    return c;
  }

  private replicaEnv(podName: string, mongoUrl: string): Record<string, string> {
    const e = testEnv();
    const s = this.suite;
    return {
      KUBECONFIG: e.kube.kubeconfigPath,
      JOBS_NAMESPACE: s.namespace,
      MONGODB_URL: mongoUrl,
      MONGODB_DATABASE: s.db.databaseName,
      REDIS_URL: e.redis.clients.operator,
      TASK_REDIS_SECRET_ARN: TASK_REDIS_SECRET_ARN,
      AWS_REGION: e.ecs.region,
      AWS_ACCESS_KEY_ID: e.ecs.accessKeyId,
      AWS_SECRET_ACCESS_KEY: e.ecs.secretAccessKey,
      AWS_ENDPOINT_URL_ECS: this.ecsProxy.url,
      ECS_CLUSTER: s.ecsOptions.cluster,
      ECS_TASK_DEFINITION: s.ecsOptions.taskDefinition,
      ECS_SUBNETS: s.ecsOptions.subnets.join(","),
      LEASE_NAMESPACE: s.namespace,
      LEASE_NAME: this.lease,
      POD_NAME: podName,
      HTTP_HOST: "127.0.0.1",
      HTTP_PORT: "0",
      // The tenancy rule's buckets (HARNESS_POLICY): the suite's jobs are user u's within it.
      UPLOADS_BUCKET: "uploads",
      OUTPUTS_BUCKET: "outputs",
      POLL_MS: "500",
      STOP_POLL_MS: "200",
      QUEUED_POLL_MS: "2000",
      RETRY_BACKOFF_BASE_MS: "300",
      RETRY_BACKOFF_MAX_MS: "2000",
      LOG_LEVEL: "info",
      ...this.options.env,
    };
  }

  start(): void {
    for (const r of this.replicas) r.start();
    this.player.start(200);
  }

  /** The lease holder's identity, as the apiserver has it. */
  async holderIdentity(): Promise<string | undefined> {
    const api = this.suite.kc.makeApiClient(CoordinationV1Api);
    try {
      return (await api.readNamespacedLease({ namespace: this.suite.namespace, name: this.lease })).spec?.holderIdentity || undefined;
    } catch {
      return undefined;
    }
  }

  async leader(): Promise<Replica | undefined> {
    const id = await this.holderIdentity();
    return this.replicas.find((r) => r.alive && !r.paused && r.identity !== undefined && r.identity === id);
  }

  private async nextLeader(withinMs: number): Promise<Replica | undefined> {
    const deadline = Date.now() + withinMs;
    for (;;) {
      const leader = await this.leader();
      if (leader || Date.now() > deadline) return leader;
      await sleep(250);
    }
  }

  /** Injects one fault and waits until it is over (a killed replica is restarted, a paused one resumed). */
  async inject(kind: FaultKind, o: { leaseMs: number }): Promise<void> {
    const record: FaultRecord = { kind, at: Date.now() };
    this.faults.push(record);
    const stack = testStack();
    switch (kind) {
      case "kill-leader":
      case "pause-leader":
      case "stop-leader":
      case "leader-mongo-cut": {
        // Right after another fault there may be no leader yet: wait for the next one (within two leases) rather
        // than skip, so that every kind is injected in every run (a long run once drew its only mongo cut then).
        const leader = await this.nextLeader(2 * o.leaseMs);
        if (!leader) {
          record.detail = "no leader within two leases: skipped";
          return;
        }
        record.at = Date.now();
        record.replica = leader.name;
        if (kind === "kill-leader") {
          await leader.kill();
          await sleep(2_000);
          leader.start();
        } else if (kind === "stop-leader") {
          // A graceful SIGTERM (a rolling update): the lease is released, a standby takes over at once.
          await leader.stop();
          leader.start();
        } else if (kind === "pause-leader") {
          // Longer than the lease: the classic fencing case, a process that wakes up still believing it leads.
          leader.signal("SIGSTOP");
          await sleep(o.leaseMs + 3_000);
          leader.signal("SIGCONT");
        } else {
          const proxy = this.mongoProxies[this.replicas.indexOf(leader)]!;
          proxy.down();
          await sleep(5_000);
          proxy.restore();
        }
        return;
      }
      case "apiserver-restart":
        return stack.restart("kube-apiserver", { downMs: 1_000 });
      case "redis-restart":
        return stack.restart("redis", { downMs: 1_000 });
      case "mongo-restart":
        return stack.restart("ferretdb", { downMs: 1_000 });
      case "ecs-throttle":
        this.ecsProxy.faults.throttle = { RunTask: 0.5, DescribeTasks: 0.3, ListTasks: 0.3, StopTask: 0.3 };
        this.ecsProxy.faults.capacity = 0.3;
        await sleep(6_000);
        this.ecsProxy.faults.throttle = {};
        this.ecsProxy.faults.capacity = 0;
        return;
    }
  }

  /** Every task the emulator knows in this cluster, RUNNING or STOPPED. */
  async allTasks(): Promise<Task[]> {
    return allTasks(this.suite.ecs, this.suite.ecsOptions.cluster);
  }

  /** Job attempts (ECS startedBy) with more than one task: each is a duplicate launch. */
  async duplicateLaunches(): Promise<Map<string, number>> {
    const by = new Map<string, number>();
    for (const t of await this.allTasks()) by.set(t.startedBy ?? "", (by.get(t.startedBy ?? "") ?? 0) + 1);
    return new Map([...by].filter(([, n]) => n > 1));
  }

  /**
   * For each leader fault, from the replicas' own log lines: how long from the fault until another replica led
   * ("started leading"), and until it launched a task (the failover as a user sees it, when a job was waiting).
   */
  failovers(): { kind: FaultKind; toLeaderMs: number | undefined; toLaunchMs: number | undefined }[] {
    const after = (f: FaultRecord, msg: string): number | undefined => {
      const times = this.replicas
        .filter((r) => r.name !== f.replica)
        .flatMap((r) => r.events(msg))
        .filter((t) => t > f.at);
      return times.length ? Math.min(...times) - f.at : undefined;
    };
    return this.faults
      .filter((f) => (f.kind === "kill-leader" || f.kind === "pause-leader" || f.kind === "stop-leader") && f.replica)
      .map((f) => ({ kind: f.kind, toLeaderMs: after(f, "started leading"), toLaunchMs: after(f, "launching task") }));
  }

  async close(): Promise<void> {
    this.player.stop();
    await Promise.all(this.replicas.map((r) => r.stop(10_000)));
    await this.ecsProxy.stop();
    for (const p of this.mongoProxies) await p.stop();
    await this.suite.close();
  }
}

export async function allTasks(ecs: ECSClient, cluster: string): Promise<Task[]> {
  const arns: string[] = [];
  for (const desiredStatus of ["RUNNING", "STOPPED"] as const) {
    let nextToken: string | undefined;
    do {
      const page = await ecs.send(new ListTasksCommand({ cluster, desiredStatus, nextToken }));
      arns.push(...(page.taskArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
  }
  const out: Task[] = [];
  for (let i = 0; i < arns.length; i += 100) {
    out.push(...((await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100) }))).tasks ?? []));
  }
  return out;
}
