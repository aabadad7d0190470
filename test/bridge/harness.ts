/**
 * Shared set-up of the bridge suites: the TranscodeJob CRD applied once, a namespace and a stream name of
 * each suite's own, and in-process bridges built from the real config loader against the real services.
 */
import { randomBytes } from "node:crypto";
import * as k8s from "@kubernetes/client-node";
import { Redis } from "ioredis";
import { Registry } from "prom-client";
import { crdManifest } from "../../crds/generator/index.js";
import { CRD_NAME, GROUP, PLURAL, VERSION, type TenancyPolicy } from "../../crds/index.js";
import { createLogger } from "../../lib/log.js";
import { RedisUploadStream, classifyRecord, type UploadEntry } from "../../lib/uploads/index.js";
import { Bridge, KubeJobCreator, type BridgeOptions } from "../../bridge/index.js";
import { testEnv } from "../env/index.js";
import { waitFor } from "../support/wait.js";
import { suiteRedisUser } from "../support/redis-users.js";
import { awsRecord } from "../lambda/records.js";

export const quietLog = createLogger("bridge-test", { level: process.env.TEST_LOG_LEVEL ?? "silent" });

export function adminKubeConfig(): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(testEnv().kube.kubeconfigPath);
  return kc;
}

let crdApplied: Promise<void> | undefined;

/** The TranscodeJob CRD, created once per run (another suite may have created it first: that is fine). */
export function ensureCrd(kc: k8s.KubeConfig): Promise<void> {
  return (crdApplied ??= (async () => {
    const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
    try {
      await ext.createCustomResourceDefinition({ body: crdManifest() });
    } catch (err) {
      if (!(err instanceof k8s.ApiException) || err.code !== 409) throw err;
    }
    await waitFor(
      async () => {
        const crd = await ext.readCustomResourceDefinition({ name: CRD_NAME });
        return crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True") ?? false;
      },
      20_000,
      "TranscodeJob CRD established",
    );
  })());
}

export async function createNamespace(kc: k8s.KubeConfig, name: string): Promise<void> {
  await kc.makeApiClient(k8s.CoreV1Api).createNamespace({ body: { metadata: { name } } });
}

export interface JobObject {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: { source: { bucket: string; key: string; versionId?: string }; output: { bucket: string; prefix: string }; owner?: string };
}

/** Every TranscodeJob in a namespace (paged, so a thousand is fine). */
export async function listJobs(kc: k8s.KubeConfig, namespace: string): Promise<JobObject[]> {
  const api = kc.makeApiClient(k8s.CustomObjectsApi);
  const out: JobObject[] = [];
  let cont: string | undefined;
  do {
    const page = (await api.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, limit: 500, ...(cont ? { _continue: cont } : {}) })) as {
      items: JobObject[];
      metadata?: { continue?: string };
    };
    out.push(...page.items);
    cont = page.metadata?.continue || undefined;
  } while (cont);
  return out;
}

/**
 * Like waitFor, with a poll interval of its own: listing a thousand TranscodeJobs every 50 ms would load
 * the apiserver (and this 2-core machine) more than the bridges under test do.
 */
export async function pollUntil(check: () => Promise<boolean>, timeoutMs: number, what: string, intervalMs = 500): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export function uniqueId(): string {
  return randomBytes(4).toString("hex");
}

/** An upload entry exactly as the lambda would write it for this key. */
export function entryFor(key: string, etag = uniqueId(), bucket = "uploads-bucket"): UploadEntry {
  const r = classifyRecord(awsRecord({ key, eTag: etag, bucket }));
  if (r.kind !== "entry") throw new Error(`test record for ${key} is not an upload: ${JSON.stringify(r)}`);
  return r.entry;
}

export interface TestBridge {
  bridge: Bridge;
  registry: Registry;
  stop(): Promise<void>;
}

/** The tenancy rule of the bridge suites: uploads-bucket (and old-videos, the legacy drain's) in, outputs-bucket out. */
export const TEST_POLICY: TenancyPolicy = {
  uploadsBuckets: ["uploads-bucket", "old-videos"],
  uploadsPrefix: "uploads/",
  outputsBucket: "outputs-bucket",
  outputsPrefix: "outputs/",
  namespacePrefix: "namespaces/",
};

/** A Bridge on its own two Redis connections; options default to fast timings for tests. */
export async function startTestBridge(o: Partial<BridgeOptions> & Pick<BridgeOptions, "stream" | "namespace">, kc = adminKubeConfig()): Promise<TestBridge> {
  // The bridge's own rights (lib/redis-acl) on this suite's stream, as in production.
  const user = await suiteRedisUser("bridge", { uploadsStream: o.stream });
  const url = user.url;
  const consumer = o.consumer ?? `test-${uniqueId()}`;
  // Named connections, so a test can drop exactly this bridge's connections (CLIENT KILL) and no one else's.
  const redis = new Redis(url, { maxRetriesPerRequest: 3, connectionName: `bridge-${consumer}` });
  const blockingRedis = new Redis(url, { maxRetriesPerRequest: 3, connectionName: `bridge-${consumer}-blocking` });
  const registry = new Registry();
  const bridge = new Bridge({
    redis,
    blockingRedis,
    creator: new KubeJobCreator(kc),
    log: quietLog,
    registry,
    group: "bridge",
    consumer,
    policy: TEST_POLICY,
    maxDeliveries: 3,
    claimIdleMs: 300,
    claimIntervalMs: 200,
    batchSize: 16,
    blockMs: 200,
    retentionMs: 3600_000,
    housekeepingIntervalMs: 60_000,
    consumerIdleMs: 3600_000,
    ...o,
  });
  await bridge.start();
  return {
    bridge,
    registry,
    async stop() {
      await bridge.stop();
      await redis.quit();
      await blockingRedis.quit();
      await user.remove();
    },
  };
}

export function uploadStream(redis: Redis, stream: string): RedisUploadStream {
  return new RedisUploadStream(redis, { stream });
}

/** Removes every Redis key of a suite's stream. */
export async function dropStreamKeys(redis: Redis, stream: string): Promise<void> {
  const keys = await redis.keys(`${stream}*`);
  if (keys.length) await redis.del(...keys);
}
