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

export interface StackEnv {
  kube: KubeEndpoint;
  /** mongodb://127.0.0.1:PORT/ (FerretDB, SQLite backend). Use a database name of your own per suite. */
  mongo: { url: string };
  /** redis://127.0.0.1:PORT. Use a key prefix of your own per suite (or a numbered db). */
  redis: { url: string };
  s3: S3Endpoint;
  ecs: EcsEndpoint;
  tools: { ffmpeg: string; ffprobe: string; helm: string };
  /** A scratch directory for this run, removed at the end. */
  tmpDir: string;
}
