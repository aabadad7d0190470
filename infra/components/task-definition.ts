/** The transcoder's container definition, built as data so that tests and the policy pack can read it. */
export interface ContainerDefinitionInput {
  name: string;
  image: string;
  region: string;
  logGroupName: string;
  /** name → Secrets Manager secret or SSM parameter ARN, injected by the execution role at start. */
  secrets: Record<string, string>;
}

/** Where the scratch volume is mounted: the image's TJ_WORK_DIR, and the only writable path. */
export const SCRATCH_PATH = "/tmp";

export function transcoderContainerDefinitions(c: ContainerDefinitionInput): string {
  return JSON.stringify([
    {
      name: c.name,
      image: c.image,
      essential: true,
      // Everything the task writes (source, segments, ffmpeg's temp files) goes to the scratch volume.
      readonlyRootFilesystem: true,
      user: "1000:1000",
      mountPoints: [{ sourceVolume: "scratch", containerPath: SCRATCH_PATH, readOnly: false }],
      // Node gets SIGTERM as PID 1's child, so it can write a retryable result before ECS kills it.
      linuxParameters: { initProcessEnabled: true },
      stopTimeout: 30,
      // Only non-secret defaults; the per-job TJ_* settings come as RunTask overrides.
      environment: [{ name: "TJ_WORK_DIR", value: SCRATCH_PATH }],
      secrets: Object.entries(c.secrets).map(([name, valueFrom]) => ({ name, valueFrom })),
      logConfiguration: {
        logDriver: "awslogs",
        options: { "awslogs-group": c.logGroupName, "awslogs-region": c.region, "awslogs-stream-prefix": "transcoder" },
      },
    },
  ]);
}
