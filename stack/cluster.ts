/**
 * A cluster whose pods become Ready, for the suites that install Deployments (the Helm chart): its own etcd and
 * kube-apiserver, kube-controller-manager, kube-scheduler and kwok with fake nodes. Suites call startCluster()
 * themselves; the normal stack (startStack) is unchanged and keeps its bare apiserver, because a controller-manager
 * there would garbage-collect and finalize namespaces under every other suite.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { CoreV1Api, KubeConfig, type V1Node } from "@kubernetes/client-node";
import { ServiceError, reapStaleRuns, registerExitCleanup } from "./process.js";
import { StartContext } from "./services/context.js";
import { startKube } from "./services/kube.js";
import { FAKE_NODE_ANNOTATION, FAKE_NODE_TOLERATION, startControllerManager, startKwok, startScheduler } from "./services/kwok.js";
import { logsRoot, runsRoot } from "./start.js";
import type { KubeEndpoint } from "./types.js";

export { FAKE_NODE_TOLERATION };

export interface ClusterOptions {
  /** Fake nodes, one per zone (zone-a, zone-b, ...). Default 2. */
  nodes?: number;
  /** Called once per component as it becomes ready, for progress output. */
  onReady?: (component: string, ms: number) => void;
}

export interface Cluster {
  kube: KubeEndpoint;
  /** The fake nodes' names; every pod must tolerate FAKE_NODE_TOLERATION to land on one. */
  nodes: string[];
  logDir: string;
  /** Stops every process (SIGTERM, then SIGKILL) and removes the scratch dir. Idempotent. */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  mkdirSync(runsRoot, { recursive: true });
  reapStaleRuns(runsRoot);
  const runDir = mkdtempSync(join(runsRoot, `run-${process.pid}-cluster-`));
  const logDir = join(logsRoot, `cluster-${new Date().toISOString().replace(/[:.]/g, "-")}-${process.pid}`);
  mkdirSync(logDir, { recursive: true });
  const ctx = new StartContext(runDir, logDir);
  const unregister = registerExitCleanup(() => {
    for (const p of ctx.processes) p.killNow();
    rmSync(runDir, { recursive: true, force: true });
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    unregister();
    await Promise.allSettled(ctx.processes.map((p) => p.stop()));
    rmSync(runDir, { recursive: true, force: true });
  };
  const timed = async <T>(component: string, start: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    const value = await start();
    options.onReady?.(component, Date.now() - t0);
    return value;
  };
  try {
    const kube = await timed("kube-apiserver", () => startKube(ctx));
    await Promise.all([
      timed("kube-controller-manager", () => startControllerManager(ctx, kube)),
      timed("kube-scheduler", () => startScheduler(ctx, kube)),
      timed("kwok", () => startKwok(ctx, kube)),
    ]);
    const nodes = await timed("fake nodes", () => createNodes(kube, options.nodes ?? 2));
    return { kube, nodes, logDir, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function fakeNode(name: string, zone: string): V1Node {
  const resources = { cpu: "32", memory: "256Gi", pods: "110", "ephemeral-storage": "1Ti" };
  return {
    metadata: {
      name,
      annotations: { [FAKE_NODE_ANNOTATION.key]: FAKE_NODE_ANNOTATION.value },
      labels: {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "topology.kubernetes.io/zone": zone,
        type: "kwok",
      },
    },
    spec: { taints: [{ key: FAKE_NODE_TOLERATION.key, value: FAKE_NODE_TOLERATION.value, effect: FAKE_NODE_TOLERATION.effect }] },
    status: { allocatable: resources, capacity: resources },
  };
}

/** Creates the nodes and waits until each is Ready and schedulable (the node-lifecycle controller lifted not-ready). */
async function createNodes(kube: KubeEndpoint, count: number): Promise<string[]> {
  const kc = new KubeConfig();
  kc.loadFromFile(kube.kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  const names = Array.from({ length: count }, (_, i) => `kwok-node-${i}`);
  await Promise.all(names.map((name, i) => core.createNode({ body: fakeNode(name, `zone-${String.fromCharCode(97 + i)}`) })));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const nodes = (await core.listNode({ labelSelector: "type=kwok" })).items;
    const ready = nodes.filter(
      (n) =>
        n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") &&
        !(n.spec?.taints ?? []).some((t) => t.key.startsWith("node.kubernetes.io/")),
    );
    if (ready.length === count) return names;
    if (Date.now() > deadline) {
      throw new ServiceError(`kwok: ${ready.length} of ${count} fake nodes Ready and untainted after 60 s: ${JSON.stringify(nodes.map((n) => [n.metadata?.name, n.spec?.taints]))}`);
    }
    await sleep(200);
  }
}
