/**
 * The embedded local stack: the real services (etcd + kube-apiserver, FerretDB, Redis, MinIO, moto) built from
 * source and started on free loopback ports, and the control plane's own processes on top of them. `npm start`
 * runs it; the test suites and the benchmarks start the same stack.
 */
export type { StackEnv, KubeEndpoint, S3Endpoint, EcsEndpoint } from "./types.js";
export { startStack, type Stack, type StackOptions } from "./start.js";
export { startCluster, FAKE_NODE_TOLERATION, type Cluster, type ClusterOptions } from "./cluster.js";
export { startControlPlane, s3Client, type ControlPlane, type ControlPlaneOptions } from "./control-plane.js";
export { freePort, installExitHandlers, registerExitCleanup, runExitCleanups, ServiceError, type ServiceProcess } from "./process.js";
