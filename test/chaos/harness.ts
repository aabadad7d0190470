import { join } from "node:path";
import { CoordinationV1Api } from "@kubernetes/client-node";
import { DescribeTasksCommand, ListTasksCommand, type ECSClient, type Task } from "@aws-sdk/client-ecs";
import { testEnv } from "../env/index.js";
import { EcsFaultProxy } from "../support/ecs-fault-proxy.js";
import { openSuite, TaskPlayer, type Outcome, type Suite } from "../operator/helpers/operator-harness.js";
import { TASK_REDIS_SECRET_ARN } from "../operator/helpers/ecs.js";
import { Replica } from "./replica.js";

export interface ChaosOptions {
  replicas: number;
  /** POD_NAME of each replica (default operator-<i>). */
  podName?: (i: number) => string;
  /** Extra operator settings for every replica. */
  env?: Record<string, string>;
  policy: (name: string, attempt: number) => Outcome;
}

/**
 * Several operator processes with leader election against the real apiserver, FerretDB, Redis and the ECS
 * emulator (through an API fault proxy), and a TaskPlayer that plays every task's container and samples how many
 * tasks are alive.
 */
export class ChaosCluster {
  readonly replicas: Replica[] = [];
  readonly lease = "transcode-operator";
  player!: TaskPlayer;
  ecsProxy!: EcsFaultProxy;

  private constructor(
    readonly suite: Suite,
    private readonly options: ChaosOptions,
  ) {}

  static async open(prefix: string, options: ChaosOptions): Promise<ChaosCluster> {
    const c = new ChaosCluster(await openSuite(prefix), options);
    c.ecsProxy = await new EcsFaultProxy(testEnv().ecs.endpoint).start();
    c.player = new TaskPlayer(c.suite, options.policy);
    c.ecsProxy.faults.stopDelayMs = (task) => c.player.stopDelayMs(task);
    const logDir = join(testEnv().tmpDir, `${prefix}-${c.suite.namespace}`);
    for (let i = 0; i < options.replicas; i++) {
      c.replicas.push(new Replica(`replica-${i}`, c.replicaEnv(options.podName?.(i) ?? `operator-${i}`), logDir));
    }
    return c;
  }

  private replicaEnv(podName: string): Record<string, string> {
    const e = testEnv();
    const s = this.suite;
    return {
      KUBECONFIG: e.kube.kubeconfigPath,
      JOBS_NAMESPACE: s.namespace,
      MONGODB_URL: e.mongo.url,
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
    this.player.start(100);
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
    return this.replicas.find((r) => r.alive && r.identity !== undefined && r.identity === id);
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

  async close(): Promise<void> {
    this.player.stop();
    await Promise.all(this.replicas.map((r) => r.stop(10_000)));
    await this.ecsProxy.stop();
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
