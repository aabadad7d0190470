import { generateKeyPairSync, randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { binaries } from "../versions.js";
import type { KubeEndpoint } from "../types.js";
import { httpOk, httpsOk, requireBinary, type StartContext } from "./context.js";

/**
 * A Kubernetes control plane as kubebuilder's envtest runs it: etcd + kube-apiserver, no kubelet, scheduler
 * or controller-manager. Authentication by static tokens: an admin in system:masters and one user with no
 * bindings, so RBAC can be tested. Authorization is RBAC.
 */
export async function startKube(ctx: StartContext): Promise<KubeEndpoint> {
  requireBinary("etcd", binaries.etcd);
  requireBinary("kube-apiserver", binaries.kubeApiserver);
  const etcdUrl = await startEtcd(ctx);

  const dir = ctx.dataDir("kube");
  const certDir = join(dir, "certs");
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const saKey = join(dir, "sa.key");
  writeFileSync(saKey, privateKey.export({ type: "pkcs1", format: "pem" }), { mode: 0o600 });
  const adminToken = randomBytes(24).toString("hex");
  const userToken = randomBytes(24).toString("hex");
  const userName = "test-user";
  const tokenFile = join(dir, "tokens.csv");
  writeFileSync(
    tokenFile,
    `${adminToken},test-admin,uid-admin,"system:masters"\n${userToken},${userName},uid-user,"test-group"\n`,
    { mode: 0o600 },
  );

  return ctx.withPorts(1, async ([port]) => {
    const proc = ctx.spawn({
      service: "kube-apiserver",
      command: binaries.kubeApiserver,
      args: [
        `--etcd-servers=${etcdUrl}`,
        `--secure-port=${port}`,
        "--bind-address=127.0.0.1",
        "--advertise-address=127.0.0.1",
        `--cert-dir=${certDir}`,
        "--service-account-issuer=https://kubernetes.default.svc",
        `--service-account-key-file=${saKey}`,
        `--service-account-signing-key-file=${saKey}`,
        `--token-auth-file=${tokenFile}`,
        "--authorization-mode=RBAC",
        "--service-cluster-ip-range=10.0.0.0/24",
        "--disable-admission-plugins=ServiceAccount",
        "--allow-privileged=false",
        "--profiling=false",
        "--v=1",
      ],
    });
    const server = `https://127.0.0.1:${port}`;
    await proc.waitReady(() => httpsOk(`${server}/readyz`, adminToken), 120_000);
    // The self-signed serving cert file carries its CA in the chain; use it as the kubeconfig's CA.
    const caFile = join(certDir, "apiserver.crt");
    readFileSync(caFile); // fails loudly if the apiserver did not write it
    const kubeconfigPath = join(dir, "admin.kubeconfig");
    const userKubeconfigPath = join(dir, "user.kubeconfig");
    writeFileSync(kubeconfigPath, kubeconfig(server, caFile, "test-admin", adminToken), { mode: 0o600 });
    writeFileSync(userKubeconfigPath, kubeconfig(server, caFile, userName, userToken), { mode: 0o600 });
    return { server, kubeconfigPath, userKubeconfigPath, adminToken, userToken, userName, caFile, kubectl: binaries.kubectl };
  });
}

async function startEtcd(ctx: StartContext): Promise<string> {
  const dataDir = ctx.dataDir("etcd");
  return ctx.withPorts(2, async ([clientPort, peerPort]) => {
    const client = `http://127.0.0.1:${clientPort}`;
    const peer = `http://127.0.0.1:${peerPort}`;
    const proc = ctx.spawn({
      service: "etcd",
      command: binaries.etcd,
      args: [
        "--name=default",
        `--data-dir=${dataDir}`,
        `--listen-client-urls=${client}`,
        `--advertise-client-urls=${client}`,
        `--listen-peer-urls=${peer}`,
        `--initial-advertise-peer-urls=${peer}`,
        `--initial-cluster=default=${peer}`,
        "--unsafe-no-fsync",
        "--log-level=warn",
      ],
    });
    await proc.waitReady(() => httpOk(`${client}/health`), 30_000);
    return client;
  });
}

function kubeconfig(server: string, caFile: string, user: string, token: string): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "test", cluster: { server, "certificate-authority": caFile } }],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: user, context: { cluster: "test", user, namespace: "default" } }],
    "current-context": user,
  });
}
