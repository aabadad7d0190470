/** Values files of the chart tests, typed by the chart's own values schema (a wrong key fails tsc before helm). */
import type { ChartValues } from "../../scripts/chart/values.js";
import { FAKE_NODE_TOLERATION } from "../../stack/index.js";

/** Every optional part on: ingress with TLS, ServiceMonitor, NetworkPolicies, the upload webhook, references of every kind. */
export function fullValues(o: { jobsNamespace: string }): ChartValues {
  const peers = (ns: string) => [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } } }];
  return {
    fullnameOverride: "tcp",
    image: { repository: "registry.example.com/transcode-cp/control-plane", tag: "0.1.0", pullPolicy: "IfNotPresent" },
    imagePullSecrets: [{ name: "registry-credentials" }],
    crds: { enabled: true, keep: false },
    jobsNamespace: o.jobsNamespace,
    env: {
      AWS_REGION: "eu-west-1",
      UPLOADS_BUCKET: "example-uploads",
      OUTPUTS_BUCKET: "example-outputs",
      UPLOADS_PREFIX: "uploads/",
      LOG_LEVEL: "info",
      // Read as float64 by Helm: the ConfigMap must still say 68719476736, not 6.8719476736e+10.
      OUTPUT_MAX_BYTES: 68719476736,
      SHUTDOWN_TIMEOUT_MS: 40_000,
    },
    commonLabels: { team: "media" },
    tolerations: [FAKE_NODE_TOLERATION],
    operator: {
      replicas: 2,
      env: {
        ECS_CLUSTER: "transcode",
        ECS_TASK_DEFINITION: "arn:aws:ecs:eu-west-1:123456789012:task-definition/transcode-transcoder:7",
        TASK_REDIS_SECRET_ARN: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:transcode-redis-task-AbCdEf",
        ECS_SUBNETS: "subnet-a,subnet-b",
        ECS_SECURITY_GROUPS: "sg-tasks",
        MAX_CONCURRENT_TASKS: "5",
        MONGODB_DATABASE: "transcoder",
      },
      existingSecret: "tcp-operator",
      serviceAccount: { annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/transcode-operator" } },
      podAnnotations: { "example.com/team": "media" },
      priorityClassName: "",
    },
    bridge: { replicas: 2, existingSecret: "tcp-bridge", env: { BRIDGE_MAX_DELIVERIES: 10 } },
    api: {
      replicas: 3,
      existingSecret: "",
      secretEnv: {
        MONGODB_URL: { name: "tcp-api", key: "MONGODB_URL" },
        REDIS_URL: { name: "tcp-api", key: "REDIS_URL" },
        API_SESSION_KEYS: { name: "tcp-api-sessions", key: "keys" },
      },
      env: { API_TRUST_PROXY: true, MONGODB_DATABASE: "transcoder" },
      serviceAccount: { name: "transcode-api", annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/transcode-api" } },
      service: { port: 8080 },
      ingress: {
        enabled: true,
        className: "nginx",
        hosts: [{ host: "transcode.example.com", paths: [{ path: "/", pathType: "Prefix" }] }],
        tls: [{ secretName: "transcode-example-tls", hosts: ["transcode.example.com"] }],
      },
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule" }],
    },
    uploadWebhook: {
      enabled: true,
      replicas: 2,
      existingSecret: "tcp-upload-webhook",
      env: { DEDUPE_TTL_SECONDS: 3600 },
    },
    serviceMonitor: { enabled: true, labels: { release: "prometheus" } },
    networkPolicy: {
      enabled: true,
      apiFrom: peers("ingress-nginx"),
      webhookFrom: peers("minio"),
      metricsFrom: peers("monitoring"),
      egress: [
        { to: [{ ipBlock: { cidr: "10.0.0.1/32" } }], ports: [{ port: 443, protocol: "TCP" }, { port: 6443, protocol: "TCP" }] },
        { to: [{ ipBlock: { cidr: "10.20.0.0/16" } }], ports: [{ port: 6379, protocol: "TCP" }, { port: 27017, protocol: "TCP" }] },
        { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.169.254/32"] } }], ports: [{ port: 443, protocol: "TCP" }] },
      ],
    },
  };
}
