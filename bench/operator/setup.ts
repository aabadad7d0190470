/** What every scenario shares: the stack's endpoints, clients, and one real operator process per scenario. */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { Redis } from "ioredis";
import { MongoClient, type Db } from "mongodb";
import { applyCrd } from "../../lib/kube/index.js";
import { poolKubeConnections } from "../../lib/kube/index.js";
import { MongoSlots } from "../../lib/store/index.js";
import type { StackEnv } from "../../stack/index.js";
import { freePort, registerExitCleanup } from "../../stack/index.js";
import { setupEcs, TASK_REDIS_SECRET_ARN, type BenchEcs } from "./ecs.js";
import type { Flags } from "./flags.js";
import { BENCH_TENANCY_ENV, Jobs } from "./jobs.js";
import { OperatorProcess } from "./operator-process.js";

export interface BenchContext {
  env: StackEnv;
  flags: Flags;
  kc: KubeConfig;
  redis: Redis;
  mongo: MongoClient;
  close(): Promise<void>;
}

export async function openContext(env: StackEnv, flags: Flags): Promise<BenchContext> {
  const kc = new KubeConfig();
  kc.loadFromFile(env.kube.kubeconfigPath);
  // The jobs are created the way the REST API and the bridge create them: over pooled connections. Without it,
  // client-node 2.0 pays a TLS handshake per create, and that client cost would be counted as admission latency.
  const kubePools = poolKubeConnections(kc);
  await applyCrd(kc);
  const redis = new Redis(env.redis.url, { maxRetriesPerRequest: 3 });
  const mongo = new MongoClient(env.mongo.url);
  await mongo.connect();
  return {
    env,
    flags,
    kc,
    redis,
    mongo,
    async close() {
      redis.disconnect();
      await mongo.close();
      await kubePools.close();
    },
  };
}

export interface Scenario {
  name: string;
  jobs: Jobs;
  ecs: BenchEcs;
  db: Db;
  slots: MongoSlots;
  operator: OperatorProcess;
  /** Stops the operator gracefully (SIGTERM), so that work can be staged while it is down. */
  stopOperator(): Promise<void>;
  /** Starts a fresh operator process with the same settings; resolves when it leads and is ready. */
  startOperator(): Promise<void>;
  /** Stops the operator gracefully and reports how it exited. */
  close(): Promise<void>;
}

let cidr = 20;
const root = new URL("../../", import.meta.url).pathname;

/**
 * A namespace, a MongoDB database, an ECS cluster and a lease of the scenario's own, and the operator
 * process watching them with production defaults (plus the flags' explicit overrides, printed by run.ts).
 */
export async function openScenario(ctx: BenchContext, name: string, extraEnv: Record<string, string> = {}): Promise<Scenario> {
  const suffix = Date.now().toString(36);
  const namespace = `bench-${name}-${suffix}`;
  const database = `bench_${name}_${suffix}`;
  const jobs = new Jobs(ctx.kc, namespace);
  await jobs.ensureNamespace();
  const ecs = await setupEcs(ctx.env.ecs, `bench-${name}-${suffix}`, `10.${cidr++}`);
  const port = await freePort();
  const e = ctx.env;
  const env: Record<string, string> = {
    KUBECONFIG: e.kube.kubeconfigPath,
    JOBS_NAMESPACE: namespace,
    LEASE_NAMESPACE: namespace,
    MONGODB_URL: e.mongo.url,
    MONGODB_DATABASE: database,
    REDIS_URL: e.redis.clients.operator,
    TASK_REDIS_SECRET_ARN,
    AWS_REGION: e.ecs.region,
    AWS_ACCESS_KEY_ID: e.ecs.accessKeyId,
    AWS_SECRET_ACCESS_KEY: e.ecs.secretAccessKey,
    AWS_ENDPOINT_URL_ECS: e.ecs.endpoint,
    LAUNCHER: "ecs",
    ECS_CLUSTER: ecs.cluster,
    ECS_TASK_DEFINITION: ecs.taskDefinition,
    ECS_SUBNETS: ecs.subnets.join(","),
    HTTP_HOST: "127.0.0.1",
    HTTP_PORT: String(port),
    LOG_LEVEL: "info",
    ...BENCH_TENANCY_ENV,
    ...ctx.flags.operatorEnv,
    ...extraEnv,
  };
  const logDir = join(root, "node_modules", ".cache", "bench-operator", "logs");
  mkdirSync(logDir, { recursive: true });
  let starts = 0;
  const spawnOperator = () => OperatorProcess.start(env, port, {
      runner: ctx.flags.runner,
      logPath: join(logDir, `${name}${starts++ ? `-${starts}` : ""}.log`),
      cpuProfDir: ctx.flags.cpuProfDir,
    });
  let operator = await spawnOperator();
  let running = true;
  const unregister = registerExitCleanup(() => operator.killNow());
  const db = ctx.mongo.db(database);
  const stopOperator = async () => {
    if (!running) return;
    running = false;
    const code = await operator.stop();
    if (code !== 0) console.log(`  note: the ${name} operator exited with code ${code} on SIGTERM`);
    const problems = [...operator.problems].map(([m, n]) => `${n} x "${m}"`).join(", ");
    if (problems) console.log(`  operator warn/error lines during ${name}: ${problems} (log: ${operator.logPath})`);
  };
  return {
    name,
    jobs,
    ecs,
    db,
    slots: new MongoSlots(db, 5),
    get operator() {
      return operator;
    },
    stopOperator,
    async startOperator() {
      if (running) throw new Error("the operator is already running");
      operator = await spawnOperator();
      running = true;
    },
    async close() {
      await stopOperator();
      unregister();
      ecs.ecs.destroy();
    },
  };
}
