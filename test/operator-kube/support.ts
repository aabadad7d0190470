// Helpers for the operator-kube suites: clients on the test apiserver, a namespace per suite, a TCP proxy
// that injects real network faults between a client and the apiserver, and a TranscodeJob to create.
import { randomBytes } from "node:crypto";
import { createServer, connect, type Server, type Socket } from "node:net";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { applyCrd } from "../../crds/install/index.js";
import { API_VERSION, KIND, type TranscodeJob } from "../../crds/index.js";
import { testEnv } from "../env/index.js";

export function adminKubeConfig(server?: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(testEnv().kube.kubeconfigPath);
  return server ? withServer(kc, server) : kc;
}

export function userKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(testEnv().kube.userKubeconfigPath);
  return kc;
}

/** The same credentials pointed at another address (the fault-injecting proxy). */
function withServer(kc: KubeConfig, server: string): KubeConfig {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error("kubeconfig without cluster");
  const out = new KubeConfig();
  out.loadFromOptions({
    clusters: kc.clusters.map((c) => (c.name === cluster.name ? { ...c, server } : c)),
    users: kc.users,
    contexts: kc.contexts,
    currentContext: kc.currentContext,
  });
  return out;
}

let crdReady: Promise<unknown> | undefined;
export function ensureCrd(): Promise<unknown> {
  crdReady ??= applyCrd(adminKubeConfig());
  return crdReady;
}

export async function createNamespace(prefix: string): Promise<string> {
  const name = `${prefix}-${randomBytes(4).toString("hex")}`;
  await adminKubeConfig().makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
  return name;
}

export async function deleteNamespace(name: string): Promise<void> {
  // No controller-manager runs, so the namespace stays Terminating; deleting it is still the honest cleanup.
  await adminKubeConfig()
    .makeApiClient(CoreV1Api)
    .deleteNamespace({ name })
    .catch(() => undefined);
}

export function newJob(namespace: string, name: string, labels: Record<string, string> = {}): TranscodeJob {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { namespace, name, labels },
    spec: {
      source: { bucket: "uploads", key: `uploads/alice/${name}/in.mov` },
      output: { bucket: "outputs", prefix: `outputs/alice/${name}/` },
    },
  } as unknown as TranscodeJob;
}

/**
 * A plain TCP forwarder to the apiserver (TLS passes through untouched), so tests can cut live connections,
 * refuse new ones, or freeze a connection that stays open but delivers nothing: the real failure modes of a
 * watch, produced on a real socket.
 */
export class FaultProxy {
  private server: Server | undefined;
  private readonly pairs = new Set<{ client: Socket; upstream: Socket; frozen: boolean }>();
  private refusing = false;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  static forApiserver(): FaultProxy {
    const u = new URL(testEnv().kube.server);
    return new FaultProxy({ host: u.hostname, port: Number(u.port) });
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }
  get open(): number {
    return this.pairs.size;
  }

  async start(): Promise<void> {
    this.server = createServer((client) => {
      if (this.refusing) return client.destroy();
      const upstream = connect(this.target.port, this.target.host);
      const pair = { client, upstream, frozen: false };
      this.pairs.add(pair);
      const close = () => {
        client.destroy();
        upstream.destroy();
        this.pairs.delete(pair);
      };
      client.on("data", (d) => pair.frozen || upstream.write(d));
      upstream.on("data", (d) => pair.frozen || client.write(d));
      client.on("error", close).on("close", close);
      upstream.on("error", close).on("close", close);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    const addr = this.server.address();
    this.port = typeof addr === "object" && addr ? addr.port : 0;
  }

  /** Reset every open connection (what a restarting apiserver or a dropped LB connection looks like). */
  cutAll(): void {
    for (const p of [...this.pairs]) {
      p.client.resetAndDestroy();
      p.upstream.destroy();
      this.pairs.delete(p);
    }
  }

  /** Open connections stay open but silently stop delivering: the silent-stop failure of a watch. */
  freezeAll(): void {
    for (const p of this.pairs) p.frozen = true;
  }

  /** New connections are closed at once (apiserver unreachable). */
  refuse(on: boolean): void {
    this.refusing = on;
  }

  async stop(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
