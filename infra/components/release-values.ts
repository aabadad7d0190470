/**
 * The chart's values as this program sets them (charts/transcode-control-plane). Settings use the names the
 * processes read; secret settings are never values: they are keys of a Kubernetes Secret the release creates
 * and the chart mounts with envFrom (`existingSecret`).
 */
export type PlainSetting =
  | "MONGODB_DATABASE"
  | "JOBS_NAMESPACE"
  | "UPLOADS_BUCKET"
  | "UPLOADS_PREFIX"
  | "OUTPUTS_BUCKET"
  | "AWS_REGION"
  | "S3_ENDPOINT"
  | "S3_FORCE_PATH_STYLE"
  | "LAUNCHER"
  | "MAX_CONCURRENT_TASKS"
  | "ECS_CLUSTER"
  | "ECS_TASK_DEFINITION"
  | "TASK_REDIS_SECRET_ARN"
  | "ECS_CONTAINER_NAME"
  | "ECS_SUBNETS"
  | "ECS_SECURITY_GROUPS"
  | "LOG_LEVEL";

export const SECRET_SETTINGS = ["MONGODB_URL", "REDIS_URL", "API_SESSION_KEYS"] as const;
export type SecretSetting = (typeof SECRET_SETTINGS)[number];

export interface ImageValues {
  repository: string;
  tag: string;
}

export interface ProcessValues {
  image: ImageValues;
  replicas?: number;
  serviceAccount: { name: string; annotations: Record<string, string> };
  env: Partial<Record<PlainSetting, string>>;
  /** The Secret holding this process's secret settings (created by ControlPlaneRelease). */
  existingSecret: string;
}

export interface ControlPlaneValues {
  operator: ProcessValues;
  bridge: ProcessValues;
  api: ProcessValues;
}

export type ControlPlaneProcess = keyof ControlPlaneValues;

/** Which secret settings each process gets (the bridge needs no database and no session keys). */
export const SECRET_SETTINGS_OF = {
  operator: ["MONGODB_URL", "REDIS_URL"],
  bridge: ["REDIS_URL"],
  api: ["MONGODB_URL", "REDIS_URL", "API_SESSION_KEYS"],
} as const satisfies Record<ControlPlaneProcess, readonly SecretSetting[]>;
