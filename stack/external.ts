import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import type { StackEnv } from "./types.js";
import { binaries } from "./versions.js";

/**
 * Services you already run, named by environment variables; each one set skips starting that service.
 *
 *   TESTENV_KUBE_SERVER, TESTENV_KUBE_ADMIN_TOKEN, TESTENV_KUBE_USER_TOKEN, TESTENV_KUBE_USER_NAME
 *                         [TESTENV_KUBE_CA_FILE]          a kube-apiserver (all four required together)
 *   TESTENV_MONGO_URL     a MongoDB-wire server            e.g. mongodb://127.0.0.1:27017/
 *   TESTENV_REDIS_URL     a Redis 7 server, as a user with every right (it creates the components' users)
 *                                                          e.g. redis://admin:PASSWORD@127.0.0.1:6379
 *   TESTENV_S3_ENDPOINT, TESTENV_S3_ACCESS_KEY, TESTENV_S3_SECRET_KEY [TESTENV_S3_REGION]
 *   TESTENV_ECS_ENDPOINT  a moto_server                    e.g. http://127.0.0.1:5000
 */
type External = Partial<Omit<StackEnv, "tools" | "tmpDir" | "redis">> & { redis?: { url: string } };

export function externalServices(env: NodeJS.ProcessEnv = process.env): External {
  const out: External = {};
  if (env.TESTENV_KUBE_SERVER) {
    const server = env.TESTENV_KUBE_SERVER;
    const adminToken = required(env, "TESTENV_KUBE_ADMIN_TOKEN");
    const userToken = required(env, "TESTENV_KUBE_USER_TOKEN");
    const userName = required(env, "TESTENV_KUBE_USER_NAME");
    const caFile = env.TESTENV_KUBE_CA_FILE ?? "";
    const dir = mkdtempSync(join(tmpdir(), "transcode-cp-kube-"));
    const write = (name: string, user: string, token: string) => {
      const path = join(dir, name);
      const cluster = caFile ? { server, "certificate-authority": caFile } : { server, "insecure-skip-tls-verify": true };
      writeFileSync(
        path,
        stringify({
          apiVersion: "v1",
          kind: "Config",
          clusters: [{ name: "external", cluster }],
          users: [{ name: user, user: { token } }],
          contexts: [{ name: user, context: { cluster: "external", user } }],
          "current-context": user,
        }),
        { mode: 0o600 },
      );
      return path;
    };
    out.kube = {
      server,
      adminToken,
      userToken,
      userName,
      caFile,
      kubeconfigPath: write("admin.kubeconfig", "admin", adminToken),
      userKubeconfigPath: write("user.kubeconfig", userName, userToken),
      kubectl: binaries.kubectl,
    };
  }
  if (env.TESTENV_MONGO_URL) out.mongo = { url: env.TESTENV_MONGO_URL };
  if (env.TESTENV_REDIS_URL) out.redis = { url: env.TESTENV_REDIS_URL };
  if (env.TESTENV_S3_ENDPOINT) {
    out.s3 = {
      endpoint: env.TESTENV_S3_ENDPOINT,
      region: env.TESTENV_S3_REGION ?? "us-east-1",
      accessKeyId: required(env, "TESTENV_S3_ACCESS_KEY"),
      secretAccessKey: required(env, "TESTENV_S3_SECRET_KEY"),
      forcePathStyle: true,
    };
  }
  if (env.TESTENV_ECS_ENDPOINT) {
    out.ecs = { endpoint: env.TESTENV_ECS_ENDPOINT, region: "us-east-1", accessKeyId: "testing", secretAccessKey: "testing" };
  }
  return out;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} must be set together with the other variables of its service`);
  return value;
}
