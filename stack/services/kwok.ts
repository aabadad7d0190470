import { fileURLToPath } from "node:url";
import { binaries } from "../versions.js";
import type { KubeEndpoint } from "../types.js";
import { httpOk, httpsOk, requireBinary, type StartContext } from "./context.js";

/** kwok's stages (copied from its module, see the file's header): nodes become Ready, pods Running and Ready. */
export const KWOK_STAGES = fileURLToPath(new URL("./kwok-stages.yaml", import.meta.url));

/** The annotation kwok manages nodes by, and the taint that keeps real workloads off a fake node. */
export const FAKE_NODE_ANNOTATION = { key: "kwok.x-k8s.io/node", value: "fake" } as const;
export const FAKE_NODE_TOLERATION = { key: FAKE_NODE_ANNOTATION.key, operator: "Equal", value: FAKE_NODE_ANNOTATION.value, effect: "NoSchedule" } as const;

/** Serving flags of kube-controller-manager and kube-scheduler: loopback, self-signed, authn/authz by the admin. */
function servingFlags(kube: KubeEndpoint, port: number, certDir: string): string[] {
  return [
    `--kubeconfig=${kube.kubeconfigPath}`,
    `--authentication-kubeconfig=${kube.kubeconfigPath}`,
    `--authorization-kubeconfig=${kube.kubeconfigPath}`,
    "--bind-address=127.0.0.1",
    `--secure-port=${port}`,
    `--cert-dir=${certDir}`,
    "--leader-elect=false",
    "--v=1",
  ];
}

/**
 * kube-controller-manager: Deployments become ReplicaSets and pods, the garbage collector and the namespace
 * controller clean up, the node-lifecycle controller lifts the not-ready taint of a node kwok reports Ready. The
 * controllers that need a cloud or a pod network are off.
 */
export async function startControllerManager(ctx: StartContext, kube: KubeEndpoint): Promise<void> {
  requireBinary("kube-controller-manager", binaries.kubeControllerManager);
  const dir = ctx.dataDir("kube-controller-manager");
  await ctx.withPorts(1, async ([port]) => {
    const proc = ctx.spawn({
      service: "kube-controller-manager",
      command: binaries.kubeControllerManager,
      args: [...servingFlags(kube, port!, dir), "--controllers=*,-nodeipam,-cloud-node-lifecycle,-service-lb-controller,-route", "--use-service-account-credentials=false"],
    });
    await proc.waitReady(() => httpsOk(`https://127.0.0.1:${port}/healthz`), 60_000);
  });
}

/** kube-scheduler, with its default profile (so topology spread and tolerations are honoured as in a real cluster). */
export async function startScheduler(ctx: StartContext, kube: KubeEndpoint): Promise<void> {
  requireBinary("kube-scheduler", binaries.kubeScheduler);
  const dir = ctx.dataDir("kube-scheduler");
  await ctx.withPorts(1, async ([port]) => {
    const proc = ctx.spawn({ service: "kube-scheduler", command: binaries.kubeScheduler, args: servingFlags(kube, port!, dir) });
    await proc.waitReady(() => httpsOk(`https://127.0.0.1:${port}/healthz`), 60_000);
  });
}

/**
 * kwok: plays the kubelet of every node annotated kwok.x-k8s.io/node=fake. Nodes report Ready (with a Lease), pods
 * bound to them become Running and Ready, Job pods complete, deleted pods go away. No container ever runs.
 */
export async function startKwok(ctx: StartContext, kube: KubeEndpoint): Promise<void> {
  requireBinary("kwok", binaries.kwok);
  await ctx.withPorts(1, async ([port]) => {
    const proc = ctx.spawn({
      service: "kwok",
      command: binaries.kwok,
      args: [
        `--kubeconfig=${kube.kubeconfigPath}`,
        `--config=${KWOK_STAGES}`,
        `--manage-nodes-with-annotation-selector=${FAKE_NODE_ANNOTATION.key}=${FAKE_NODE_ANNOTATION.value}`,
        "--node-lease-duration-seconds=40",
        "--cidr=10.244.0.1/16",
        `--server-address=127.0.0.1:${port}`,
      ],
    });
    await proc.waitReady(() => httpOk(`http://127.0.0.1:${port}/healthz`), 60_000);
  });
}
