/**
 * The chart's components and the settings each reads (lib/config's maps, the names of docs/configuration.md): which
 * ones a user sets in `env` (a ConfigMap), which are secret (only ever a reference to an existing Secret) and which the
 * chart sets itself from its structured values or from the pod.
 */
import { apiSettings } from "../../api/config.js";
import { bridgeSettings } from "../../bridge/config.js";
import { webhookSettings } from "../../lambda/config.js";
import type { Settings } from "../../lib/config/index.js";
import { operatorSettings } from "../../operator/config/index.js";

/** Values key -> the process it runs (its image command, its settings, the suffix of its resources' names). */
export const COMPONENTS = {
  operator: { process: "operator", settings: operatorSettings },
  bridge: { process: "bridge", settings: bridgeSettings },
  api: { process: "api", settings: apiSettings },
  uploadWebhook: { process: "upload-webhook", settings: webhookSettings },
} as const satisfies Record<string, { process: string; settings: Settings }>;

export type Component = keyof typeof COMPONENTS;
export const COMPONENT_NAMES = Object.keys(COMPONENTS) as Component[];

/**
 * Every secret setting of a chart component (`secret: true` in lib/config; a unit test holds the two equal). They never
 * appear in values or a ConfigMap: a component gets them from `existingSecret` (envFrom) or `secretEnv` (secretKeyRef).
 */
export const SECRET_SETTINGS = ["API_SESSION_KEYS", "MONGODB_URL", "REDIS_URL", "TASK_REDIS_URL", "WEBHOOK_AUTH_TOKEN"] as const;
export type SecretSetting = (typeof SECRET_SETTINGS)[number];

/**
 * The AWS SDK's own credential variables (not lib/config settings): off EKS, where no IRSA or Pod Identity hands out
 * credentials, the operator and the API may take them from a Secret too.
 */
export const AWS_CREDENTIALS = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"] as const;
export const AWS_USERS: readonly Component[] = ["operator", "api"];

/** Settings the chart sets itself, and from what; `env` refuses them (one place for each). */
export const CHART_MANAGED = {
  HTTP_PORT: "`<component>.containerPort`",
  INTERNAL_HTTP_PORT: "`api.internalPort`",
  KUBECONFIG: "never set: the pod's service account is used",
  JOBS_NAMESPACE: "`jobsNamespace` (operator, bridge, api)",
  WATCH_ALL_NAMESPACES: "`operator.watchAllNamespaces`",
  LEADER_ELECTION: "`operator.leaderElection`",
  LEASE_NAMESPACE: "the release namespace",
  LEASE_NAME: "`<fullname>-operator`",
  POD_NAME: "the pod's name (downward API)",
  LAUNCHER: "`ecs`: the control-plane image holds no transcoder",
  LOCAL_TASK_COMMAND: "never set (LAUNCHER=local only)",
  LOCAL_TASK_STATE_DIR: "never set (LAUNCHER=local only)",
  TASK_REDIS_URL: "never set (LAUNCHER=local only): on ECS the task definition's secret holds the tasks' Redis URL (`TASK_REDIS_SECRET_ARN`)",
  BRIDGE_CONSUMER: "never set: each replica names itself after its pod",
} as const;
export type ChartManagedSetting = keyof typeof CHART_MANAGED;

type SettingsOf<C extends Component> = (typeof COMPONENTS)[C]["settings"];
/** The settings a user may put in `<component>.env`. */
export type PlainSettingOf<C extends Component> = Exclude<Extract<keyof SettingsOf<C>, string>, SecretSetting | ChartManagedSetting>;
export type SecretSettingOf<C extends Component> = Exclude<Extract<keyof SettingsOf<C>, SecretSetting>, ChartManagedSetting>;

const isSecret = (name: string): name is SecretSetting => (SECRET_SETTINGS as readonly string[]).includes(name);
const isManaged = (name: string): name is ChartManagedSetting => name in CHART_MANAGED;

export function plainSettings<C extends Component>(c: C): PlainSettingOf<C>[] {
  return Object.keys(COMPONENTS[c].settings).filter((n) => !isSecret(n) && !isManaged(n)).sort() as PlainSettingOf<C>[];
}

export function secretSettings<C extends Component>(c: C): SecretSettingOf<C>[] {
  return Object.keys(COMPONENTS[c].settings).filter((n) => isSecret(n) && !isManaged(n)).sort() as SecretSettingOf<C>[];
}

/** What `<component>.secretEnv` may name: its secret settings, and for the AWS callers the SDK's credentials. */
export function secretEnvNames(c: Component): string[] {
  return [...secretSettings(c), ...(AWS_USERS.includes(c) ? AWS_CREDENTIALS : [])];
}

/**
 * What operator/config/config.ts refuses LAUNCHER=ecs without (the chart always sets ecs); a unit test holds the list
 * to the operator's own refusal.
 */
export const REQUIRED_WITH_ECS = ["ECS_CLUSTER", "ECS_SUBNETS", "ECS_TASK_DEFINITION", "TASK_REDIS_SECRET_ARN"] as const;

/** Settings a process refuses to start without (no default, not optional): the NOTES warn when none supplies one. */
export function requiredSettings(c: Component): string[] {
  const required = Object.entries(COMPONENTS[c].settings as Settings)
    .filter(([name, s]) => !isManaged(name) && !s.schema.safeParse(undefined).success)
    .map(([name]) => name);
  return [...required, ...(c === "operator" ? REQUIRED_WITH_ECS : [])].sort();
}

/** Every setting any chart component may take in `env`, with the components that read it. */
export function sharedSettings(): Map<string, Component[]> {
  const readers = new Map<string, Component[]>();
  for (const c of COMPONENT_NAMES) for (const name of plainSettings(c)) readers.set(name, [...(readers.get(name) ?? []), c]);
  return new Map([...readers].sort(([a], [b]) => a.localeCompare(b)));
}

export function settingOf(name: string): Settings[string] {
  for (const c of COMPONENT_NAMES) {
    const s = (COMPONENTS[c].settings as Settings)[name];
    if (s) return s;
  }
  throw new Error(`no chart component reads ${name}`);
}
