/**
 * The chart's values as a zod schema: the one source of values.yaml (the defaults, commented with the descriptions),
 * values.schema.json (what `helm install` checks), the README's table of values, and the TypeScript type the Pulumi
 * program sets (infra/components/release-values.ts). Objects are strict: an unknown key is refused by name.
 */
import { z } from "zod";
import { plainSettings, secretEnvNames, settingOf, sharedSettings, type Component, type PlainSettingOf } from "./components.js";
import { describeDefault, fragments, type Setting } from "../../lib/config/index.js";

/** An environment value as written in values: a string, or a number/boolean Helm renders as one. */
export type EnvValue = string | number | boolean;

/** A setting's value in `env`: its enum, or its integer bounds, as its lib/config schema declares them. */
function envValue(name: string, s: Setting): z.ZodType<EnvValue, EnvValue> {
  const json = z.toJSONSchema(s.schema, { io: "input", unrepresentable: "any" }) as { type?: string; enum?: string[]; minimum?: number; maximum?: number };
  const doc = `${s.doc} (default: ${describeDefault(s.schema)})`;
  if (json.enum) return z.enum(json.enum as [string, ...string[]]).describe(doc);
  if (json.type === "integer") {
    let n = z.int();
    if (json.minimum !== undefined) n = n.min(json.minimum);
    if (json.maximum !== undefined) n = n.max(json.maximum);
    return z.union([n, z.string().regex(/^[0-9]+$/, `${name} must be a whole number`)]).describe(doc);
  }
  const isBool = s.schema.safeParse("on").data === true && s.schema.safeParse("off").data === false;
  return (isBool ? z.union([z.boolean(), z.string()]) : z.string()).describe(doc);
}

type EnvOf<Names extends string> = Partial<Record<Names, EnvValue>>;

/** A strict map of these settings: any other name (another process's, a secret one, a typo) is refused. */
function envSchema<N extends string>(names: readonly N[]): z.ZodType<EnvOf<N>, EnvOf<N>> {
  const shape = Object.fromEntries(names.map((n) => [n, envValue(n, settingOf(n)).optional()]));
  return z.strictObject(shape) as unknown as z.ZodType<EnvOf<N>, EnvOf<N>>;
}

const quantity = z.union([z.string().regex(/^[0-9]+(\.[0-9]+)?(m|k|Ki|Mi|Gi|Ti|M|G|T)?$/, "must be a Kubernetes quantity"), z.number().nonnegative()]);
const resourceList = z.strictObject({ cpu: quantity.optional(), memory: quantity.optional(), "ephemeral-storage": quantity.optional() });
type CpuMemory = { cpu: string; memory: string };
/** Requests and limits; ephemeral storage is the same for all (logs only: the root filesystem is read-only). */
const resources = (requests: CpuMemory, limits: CpuMemory) =>
  z
    .strictObject({
      requests: resourceList.prefault({ ...requests, "ephemeral-storage": "64Mi" }),
      limits: resourceList.prefault({ ...limits, "ephemeral-storage": "256Mi" }),
    })
    .prefault({})
    .describe("Container resources (the defaults are measured figures, see docs/deploy-helm.md)");

/** Kubernetes objects the chart passes through unchanged (the apiserver validates them). */
const k8sObject = z.record(z.string(), z.unknown());
const stringMap = z.record(z.string(), z.string());

const digest = z.string().regex(/^(sha256:[a-f0-9]{64})?$/, "must be sha256:<64 hex>");

const image = z
  .strictObject({
    repository: z.string().min(1).default("localhost/transcode-cp/control-plane").describe("Image of every control-plane process (`npm run build:images` builds it; push it to your registry)"),
    tag: z.string().default("").describe("Image tag; empty: the chart's appVersion"),
    digest: digest.default("").describe("Pin the image by digest (`sha256:...`); wins over the tag"),
    pullPolicy: z.enum(["IfNotPresent", "Always", "Never"]).default("IfNotPresent").describe("imagePullPolicy (IfNotPresent: tags are immutable, see docs/deploy-helm.md)"),
  })
  .prefault({});

const imageOverride = z
  .strictObject({
    repository: z.string().min(1).optional(),
    tag: z.string().optional(),
    digest: digest.optional(),
  })
  .prefault({})
  .describe("Overrides of the top-level `image` for this component");

const secretKeyRef = z.strictObject({
  name: z.string().min(1).describe("An existing Secret"),
  key: z.string().min(1).describe("Its key holding the value"),
});

const probeTiming = (period: number, failures: number) =>
  z
    .strictObject({
      periodSeconds: z.int().min(1).default(period).describe("How often"),
      timeoutSeconds: z.int().min(1).default(2).describe("One probe's timeout"),
      failureThreshold: z.int().min(1).default(failures).describe("Failures in a row that count"),
    })
    .prefault({});

interface ComponentDefaults {
  replicas: number;
  resources: { requests: CpuMemory; limits: CpuMemory };
}

/** The keys every component has. */
function componentSchema<C extends Component>(c: C, d: ComponentDefaults) {
  const secrets = secretEnvNames(c);
  return z.strictObject({
    replicas: z.int().min(0).default(d.replicas).describe("Pods of this component"),
    image: imageOverride,
    containerPort: z.int().min(1).max(65535).default(8080).describe("Port of the process's HTTP server (probes and /metrics; for the API its public routes only): HTTP_PORT"),
    env: envSchema(plainSettings(c))
      .prefault({})
      .describe("Non-secret settings of this component (names of docs/configuration.md, see Settings) in its ConfigMap; win over the top-level env"),
    existingSecret: z
      .string()
      .default("")
      .describe(`An existing Secret whose every key becomes a variable (envFrom): the component's secret settings (see Settings)`),
    secretEnv: z
      .partialRecord(z.enum(secrets as [string, ...string[]]), secretKeyRef)
      .prefault({})
      .describe("Secret settings one by one, `NAME: {name, key}` of existing Secrets (secretKeyRef); win over existingSecret"),
    serviceAccount: z
      .strictObject({
        create: z.boolean().default(true).describe("Create the ServiceAccount"),
        name: z.string().default("").describe("Its name; empty: <fullname>-<component>"),
        annotations: stringMap.prefault({}).describe("For IRSA: eks.amazonaws.com/role-arn (EKS Pod Identity needs none: the association names the account)"),
      })
      .prefault({}),
    resources: resources(d.resources.requests, d.resources.limits),
    probes: z
      .strictObject({ startup: probeTiming(2, 30), liveness: probeTiming(10, 3), readiness: probeTiming(5, 3) })
      .prefault({})
      .describe("Probe timings (startup and liveness: /healthz; readiness: /readyz)"),
    podDisruptionBudget: z
      .strictObject({
        enabled: z.boolean().default(true).describe("Render it (only when replicas > 1)"),
        maxUnavailable: z.union([z.int().min(0), z.string().regex(/^[0-9]+%$/)]).default(1).describe("Pods a voluntary disruption may take at once"),
      })
      .prefault({})
      .describe("A PodDisruptionBudget (rendered when replicas > 1)"),
    topologySpreadConstraints: z
      .array(k8sObject)
      .default([])
      .describe("Replaces the default spread (hostname and zone, ScheduleAnyway); the label selector is added when absent"),
    podAnnotations: stringMap.prefault({}).describe("Added to the pods"),
    podLabels: stringMap.prefault({}).describe("Added to the pods"),
    nodeSelector: stringMap.optional().describe("Replaces the top-level nodeSelector"),
    tolerations: z.array(k8sObject).optional().describe("Replaces the top-level tolerations"),
    affinity: k8sObject.optional().describe("Replaces the top-level affinity"),
    priorityClassName: z.string().default("").describe("The pods' PriorityClass"),
  });
}

const operator = componentSchema("operator", {
  replicas: 2,
  resources: { requests: { cpu: "100m", memory: "192Mi" }, limits: { cpu: "1", memory: "384Mi" } },
}).extend({
  leaderElection: z.boolean().default(true).describe("LEADER_ELECTION: one acting replica on a Lease in the release namespace (off only with 1 replica)"),
  watchAllNamespaces: z
    .boolean()
    .default(false)
    .describe("WATCH_ALL_NAMESPACES: watch TranscodeJobs everywhere (a ClusterRole) instead of jobsNamespace only (a Role there)"),
});

const serviceSchema = (port: number) =>
  z
    .strictObject({
      type: z.enum(["ClusterIP", "NodePort", "LoadBalancer"]).default("ClusterIP").describe("Service type"),
      port: z.int().min(1).max(65535).default(port).describe("Service port (to the container's http port)"),
      annotations: stringMap.prefault({}).describe("Service annotations"),
    })
    .prefault({});

const ingressPath = z.strictObject({ path: z.string().default("/"), pathType: z.enum(["Prefix", "Exact", "ImplementationSpecific"]).default("Prefix") });

const api = componentSchema("api", {
  replicas: 2,
  // argon2id hashes with 64 MiB each: the limit leaves room for a few sign-ins at once.
  resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "768Mi" } },
}).extend({
  internalPort: z
    .int()
    .min(1)
    .max(65535)
    .default(fragments.internalHttp.INTERNAL_HTTP_PORT.schema.parse(undefined))
    .describe("Port of the API's internal HTTP server (probes, /metrics): INTERNAL_HTTP_PORT; the Service and the Ingress never reach it"),
  service: serviceSchema(80).describe("The API's Service (its http port only)"),
  ingress: z
    .strictObject({
      enabled: z.boolean().default(false).describe("Render the Ingress"),
      className: z.string().default("").describe("ingressClassName; empty: the cluster's default class"),
      annotations: stringMap.prefault({}).describe("Ingress annotations"),
      hosts: z
        .array(z.strictObject({ host: z.string().min(1), paths: z.array(ingressPath).default([{ path: "/", pathType: "Prefix" }]) }))
        .default([])
        .describe("`{host, paths: [{path, pathType}]}` to the API's Service"),
      tls: z
        .array(z.strictObject({ secretName: z.string().min(1), hosts: z.array(z.string()).default([]) }))
        .default([])
        .describe("`{secretName, hosts}`: TLS from existing Secrets"),
    })
    .prefault({})
    .describe("An Ingress to the API's Service (TLS from existing Secrets)"),
});

const bridge = componentSchema("bridge", {
  replicas: 2,
  resources: { requests: { cpu: "50m", memory: "96Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
});

const uploadWebhook = componentSchema("uploadWebhook", {
  replicas: 1,
  resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "250m", memory: "192Mi" } },
}).extend({
  enabled: z.boolean().default(false).describe("Run the upload webhook (MinIO's bucket notifications) where the S3 Lambda is not used"),
  service: serviceSchema(80).describe("The webhook's Service (MinIO's notify_webhook endpoint)"),
});

export const valuesSchema = z.strictObject({
  nameOverride: z.string().default("").describe("Replaces the chart name in resource names"),
  fullnameOverride: z.string().default("").describe("Replaces <release>-<chart> in resource names"),
  image,
  imagePullSecrets: z.array(z.strictObject({ name: z.string().min(1) })).default([]).describe("`{name}` of existing registry Secrets"),
  crds: z
    .strictObject({
      enabled: z.boolean().default(true).describe("Install and upgrade the TranscodeJob CRD with the release (a template, so helm upgrade updates it)"),
      keep: z.boolean().default(true).describe("helm.sh/resource-policy: keep on the CRD: uninstalling the release keeps it and every TranscodeJob"),
    })
    .prefault({}),
  jobsNamespace: z
    .string()
    .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?)?$/)
    .max(63)
    .default("")
    .describe("JOBS_NAMESPACE: where the API and the bridge create TranscodeJobs and the operator watches them; empty: the release namespace"),
  env: envSchema([...sharedSettings().keys()])
    .prefault({})
    .describe("Settings for every component that reads them (each ConfigMap gets only its own); a component's env wins"),
  commonLabels: stringMap.prefault({}).describe("Labels added to every resource"),
  nodeSelector: stringMap.prefault({}).describe("Every pod's nodeSelector (a component's own replaces it)"),
  tolerations: z.array(k8sObject).default([]).describe("Every pod's tolerations (a component's own replace them)"),
  affinity: k8sObject.prefault({}).describe("Every pod's affinity (a component's own replaces it)"),
  operator: operator.prefault({}).describe("The operator: reconciles TranscodeJobs, launches ECS tasks (at most MAX_CONCURRENT_TASKS cluster-wide)"),
  bridge: bridge.prefault({}).describe("The bridge: turns the Redis stream of uploads into TranscodeJobs"),
  api: api.prefault({}).describe("The REST API (Koa)"),
  uploadWebhook: uploadWebhook.prefault({}).describe("The upload webhook: MinIO's bucket notifications into the Redis stream (where the S3 Lambda is not used)"),
  serviceMonitor: z
    .strictObject({
      enabled: z.boolean().default(false).describe("A ServiceMonitor (needs the Prometheus Operator's CRD in the cluster; the chart does not look for it)"),
      interval: z.string().default("30s").describe("Scrape interval"),
      scrapeTimeout: z.string().default("10s").describe("Scrape timeout"),
      labels: stringMap.prefault({}).describe("Labels your Prometheus selects ServiceMonitors by"),
    })
    .prefault({}),
  networkPolicy: z
    .strictObject({
      enabled: z.boolean().default(false).describe("A NetworkPolicy per component (needs a CNI that enforces them)"),
      apiFrom: z.array(k8sObject).default([]).describe("NetworkPolicyPeers that may reach the API's port; empty: any source"),
      webhookFrom: z.array(k8sObject).default([]).describe("NetworkPolicyPeers that may reach the upload webhook (MinIO); empty: any source"),
      metricsFrom: z
        .array(k8sObject)
        .default([])
        .describe("NetworkPolicyPeers that may scrape the operator's and the bridge's port and the API's internal port (/metrics); empty: none"),
      egress: z
        .array(k8sObject)
        .default([])
        .describe("NetworkPolicyEgressRules of every component (the apiserver, Redis, MongoDB, AWS); DNS is added; empty: egress unrestricted"),
    })
    .prefault({}),
});

/** The values as a user (or the Pulumi program) writes them: everything optional that has a default. */
export type ChartValues = z.input<typeof valuesSchema>;
/** The values after defaults: what the templates see. */
export type ResolvedValues = z.output<typeof valuesSchema>;
export type EnvValues<C extends Component> = EnvOf<PlainSettingOf<C>>;

/** Every default: values.yaml. */
export function defaultValues(): ResolvedValues {
  return valuesSchema.parse({});
}
