import type { RedisComponent } from "../lib/redis-acl/index.js";

/** Where each real service of one test run (or of the embedded stack) listens. One typed object for all suites. */
export interface KubeEndpoint {
  /** https://127.0.0.1:PORT */
  server: string;
  /** kubeconfig with the admin (system:masters) token as its current context. */
  kubeconfigPath: string;
  /** kubeconfig for an unprivileged user (no RBAC bindings), for RBAC tests. */
  userKubeconfigPath: string;
  adminToken: string;
  userToken: string;
  userName: string;
  /** The serving certificate's CA (PEM file path). */
  caFile: string;
  /** A kubectl binary of the apiserver's minor version. */
  kubectl: string;
}

export interface S3Endpoint {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** MinIO's admin client is not used; bucket notifications are configured through MinIO env at start. */
  forcePathStyle: true;
}

export interface EcsEndpoint {
  /** moto_server base URL; also serves EC2 (subnets) and moto's state-manager API. */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** Redis with ACLs on: the default user is off, every URL carries its own user's credential (lib/redis-acl). */
export interface RedisEndpoint {
  /**
   * redis://admin:PASSWORD@127.0.0.1:PORT: every right, for the tests' own setup and inspection (and for a
   * suite's users with key names of its own, see test/support/redis-users.ts). Never a component's credential.
   */
  url: string;
  /** Each component's own user with the default key names (UPLOADS_STREAM, API_REDIS_PREFIX, LEGACY_LIST). */
  clients: Record<RedisComponent, string>;
}

export interface StackEnv {
  kube: KubeEndpoint;
  /** mongodb://127.0.0.1:PORT/ (FerretDB, SQLite backend). Use a database name of your own per suite. */
  mongo: { url: string };
  /** Use a key prefix of your own per suite. */
  redis: RedisEndpoint;
  s3: S3Endpoint;
  ecs: EcsEndpoint;
  tools: { ffmpeg: string; ffprobe: string; helm: string };
  /** A scratch directory for this run, removed at the end. */
  tmpDir: string;
}
