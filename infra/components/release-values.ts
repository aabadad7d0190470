/**
 * The chart's values as this program sets them (charts/transcode-control-plane, whose values schema is
 * scripts/chart/values.ts: these types are narrowed from it, and ControlPlaneRelease passes them through the chart's
 * own type). Settings use the names the processes read; secret settings are never values: they are keys of a
 * Kubernetes Secret the release creates and the chart mounts with envFrom (`existingSecret`).
 */
import type { SecretSettingOf } from "../../scripts/chart/components.js";
import type { ChartValues, EnvValues } from "../../scripts/chart/values.js";

/** A setting of the top-level `env`: each component's ConfigMap gets those it reads. */
export type PlainSetting = keyof NonNullable<ChartValues["env"]>;
export type SecretSetting = { [P in ControlPlaneProcess]: SecretSettingOf<P> }[ControlPlaneProcess];

export interface ImageValues {
  repository: string;
  tag: string;
}

export interface ProcessValues<P extends ControlPlaneProcess = ControlPlaneProcess> {
  image: ImageValues;
  replicas?: number;
  serviceAccount: { name: string; annotations: Record<string, string> };
  /** Settings of this process only (the shared ones are the top-level env). */
  env: EnvValues<P>;
  /** The Secret holding this process's secret settings (created by ControlPlaneRelease). */
  existingSecret: string;
}

export interface ControlPlaneValues {
  /** JOBS_NAMESPACE of the operator, the bridge and the API; the chart's Roles are there. */
  jobsNamespace: string;
  env: NonNullable<ChartValues["env"]>;
  operator: ProcessValues<"operator">;
  bridge: ProcessValues<"bridge">;
  api: ProcessValues<"api">;
}

export type ControlPlaneProcess = "operator" | "bridge" | "api";

/** Which secret settings each process gets (the bridge needs no database and no session keys). */
export const SECRET_SETTINGS_OF = {
  operator: ["MONGODB_URL", "REDIS_URL"],
  bridge: ["REDIS_URL"],
  api: ["MONGODB_URL", "REDIS_URL", "API_SESSION_KEYS"],
} as const satisfies { [P in ControlPlaneProcess]: readonly SecretSettingOf<P>[] };
