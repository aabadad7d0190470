/**
 * Runs the container of an installed Deployment's pod for real with podman, doing the kubelet's part: the env from
 * the pod spec (values, the ConfigMaps and Secrets it names, the downward API), the service account's token with the
 * cluster's CA at the in-cluster path and KUBERNETES_SERVICE_HOST/PORT, and the pod's security context and volumes as
 * podman flags. Anything in the spec it cannot translate is an error, never skipped.
 */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { V1Container, V1Deployment, V1EnvVar, V1PodSpec } from "@kubernetes/client-node";
import type { KubeEndpoint } from "../../stack/index.js";
import { runContainer, type Container } from "../images/podman.js";
import { kubectl } from "./support.js";

const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

export interface RunningPod {
  podName: string;
  container: Container;
  /** http://127.0.0.1:<containerPort> (host network) */
  url: string;
  /** The readiness probe's URL: on its own port (the API's internal one), else the http port. */
  readinessUrl: string;
  /** When podman was started (Date.now()). */
  startedAt: number;
}

async function get<T>(kube: KubeEndpoint, args: string[]): Promise<T> {
  const r = await kubectl(kube.kubeconfigPath, ["get", ...args, "-o", "json"]);
  if (r.code !== 0) throw new Error(`kubectl get ${args.join(" ")}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

const decode = (data: Record<string, string> = {}) => Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]));

/** The container's environment as the kubelet builds it: envFrom first, then env (later wins). */
async function environment(kube: KubeEndpoint, namespace: string, podName: string, c: V1Container): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const from of c.envFrom ?? []) {
    if (from.configMapRef?.name) Object.assign(env, (await get<{ data?: Record<string, string> }>(kube, ["configmap", from.configMapRef.name, "-n", namespace])).data);
    else if (from.secretRef?.name) Object.assign(env, decode((await get<{ data?: Record<string, string> }>(kube, ["secret", from.secretRef.name, "-n", namespace])).data));
    else throw new Error(`envFrom ${JSON.stringify(from)} is not translated`);
  }
  const value = async (e: V1EnvVar): Promise<string> => {
    if (e.value !== undefined) return e.value;
    const ref = e.valueFrom;
    if (ref?.fieldRef?.fieldPath === "metadata.name") return podName;
    if (ref?.fieldRef?.fieldPath === "metadata.namespace") return namespace;
    if (ref?.secretKeyRef?.name) {
      const data = decode((await get<{ data?: Record<string, string> }>(kube, ["secret", ref.secretKeyRef.name, "-n", namespace])).data);
      const v = data[ref.secretKeyRef.key];
      if (v === undefined) throw new Error(`secret ${ref.secretKeyRef.name} has no key ${ref.secretKeyRef.key}`);
      return v;
    }
    throw new Error(`env ${e.name}: ${JSON.stringify(ref)} is not translated`);
  };
  for (const e of c.env ?? []) env[e.name] = await value(e);
  return env;
}

/** podman flags for the pod's security context, volumes and limits (the kubelet and runc's part). */
function podmanFlags(pod: V1PodSpec, c: V1Container): string[] {
  const sc = { ...pod.securityContext, ...c.securityContext };
  const flags = ["--network=host"];
  if (sc.runAsUser === undefined) throw new Error("no runAsUser: the test runs pods as the uid the spec names");
  flags.push(`--user=${sc.runAsUser}:${sc.runAsGroup ?? sc.runAsUser}`);
  if (c.securityContext?.readOnlyRootFilesystem) flags.push("--read-only", "--read-only-tmpfs=false");
  if (c.securityContext?.allowPrivilegeEscalation === false) flags.push("--security-opt=no-new-privileges");
  const drop = c.securityContext?.capabilities?.drop ?? [];
  if (drop.includes("ALL")) flags.push("--cap-drop=ALL");
  else throw new Error("capabilities are not dropped");
  if (c.securityContext?.capabilities?.add?.length) throw new Error("added capabilities are not translated");
  const seccomp = sc.seccompProfile?.type;
  if (seccomp !== "RuntimeDefault") throw new Error(`seccomp ${seccomp} is not translated`); // podman's default profile
  for (const m of c.volumeMounts ?? []) {
    const volume = pod.volumes?.find((v) => v.name === m.name);
    if (volume?.emptyDir?.medium !== "Memory") throw new Error(`volume ${m.name} is not a memory emptyDir`);
    flags.push(`--tmpfs=${m.mountPath}:rw,nosuid,nodev,mode=1777,size=${String(volume.emptyDir.sizeLimit ?? "64Mi").replace(/i$/, "")}`);
  }
  const limits = c.resources?.limits ?? {};
  if (limits.memory) flags.push(`--memory=${String(limits.memory).replace(/i$/, "")}`);
  if (limits.cpu) flags.push(`--cpus=${String(limits.cpu).endsWith("m") ? Number(String(limits.cpu).slice(0, -1)) / 1000 : limits.cpu}`);
  return flags;
}

/** A token of the pod's service account (TokenRequest, as the kubelet asks for it), the CA and the namespace. */
async function serviceAccountDir(kube: KubeEndpoint, namespace: string, serviceAccount: string): Promise<string> {
  const r = await kubectl(kube.kubeconfigPath, ["create", "token", serviceAccount, "-n", namespace, "--duration=1h"]);
  if (r.code !== 0) throw new Error(`kubectl create token ${serviceAccount}: ${r.stderr}`);
  const dir = mkdtempSync(join(tmpdir(), "tcp-sa-"));
  chmodSync(dir, 0o755);
  // Readable by the container's uid (the kubelet sets the token's owner to the pod's fsGroup instead).
  writeFileSync(join(dir, "token"), r.stdout.trim(), { mode: 0o644 });
  writeFileSync(join(dir, "ca.crt"), readFileSync(kube.caFile), { mode: 0o644 });
  writeFileSync(join(dir, "namespace"), namespace, { mode: 0o644 });
  return dir;
}

/** Starts the Deployment's container as one of its pods (the name of one kwok reports Running). */
export async function runPodOf(kube: KubeEndpoint, deployment: V1Deployment): Promise<RunningPod> {
  const namespace = deployment.metadata!.namespace!;
  const pod = deployment.spec!.template.spec!;
  if (pod.containers.length !== 1 || pod.initContainers?.length) throw new Error("one container per pod is translated");
  const c = pod.containers[0]!;
  const selector = Object.entries(deployment.spec!.selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(",");
  const pods = await get<{ items: { metadata: { name: string } }[] }>(kube, ["pods", "-n", namespace, "-l", selector]);
  const podName = pods.items[0]?.metadata.name ?? `${deployment.metadata!.name}-podman`;
  const env = await environment(kube, namespace, podName, c);
  const mounts: Record<string, string> = {};
  if (pod.automountServiceAccountToken !== false) {
    const server = new URL(kube.server);
    env.KUBERNETES_SERVICE_HOST = server.hostname;
    env.KUBERNETES_SERVICE_PORT = server.port;
    mounts[await serviceAccountDir(kube, namespace, pod.serviceAccountName!)] = SERVICE_ACCOUNT_DIR;
  }
  const portNamed = (name: unknown) => c.ports?.find((p) => p.name === name)?.containerPort;
  const port = portNamed("http");
  const probe = c.readinessProbe?.httpGet;
  const probePort = typeof probe?.port === "number" ? probe.port : portNamed(probe?.port);
  if (!port || !probe?.path || !probePort) throw new Error("no http port or readiness probe");
  const startedAt = Date.now();
  const container = runContainer(c.image!, c.args ?? [], { env, mounts, flags: podmanFlags(pod, c) });
  return { podName, container, url: `http://127.0.0.1:${port}`, readinessUrl: `http://127.0.0.1:${probePort}${probe.path}`, startedAt };
}

/** Polls the readiness probe until 200 (returns ms since podman was started); fails when the container exits first. */
export async function waitReady(p: RunningPod, timeoutMs = 120_000): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    const status = await fetch(p.readinessUrl).then((r) => r.status, () => 0);
    if (status === 200) return Date.now() - p.startedAt;
    const exited = await Promise.race([p.container.exited, sleep(250).then(() => undefined)]);
    if (exited !== undefined) throw new Error(`${p.podName} exited ${exited} before it was ready:\n${p.container.output().slice(-3000)}`);
    if (Date.now() - t0 > timeoutMs) throw new Error(`${p.podName}: ${p.readinessUrl} answered ${status} for ${timeoutMs} ms:\n${p.container.output().slice(-3000)}`);
  }
}
