import * as pulumi from "@pulumi/pulumi";
import type { ControlPlaneCluster } from "./components/control-plane-cluster.js";
import type { ReleaseValues } from "./components/control-plane-release.js";
import type { ImageValues } from "./components/release-values.js";
import type { Storage } from "./components/storage.js";
import type { TranscodeCluster } from "./components/transcode-cluster.js";

export interface ControlPlaneSettings {
  images: { operator: ImageValues; bridge: ImageValues; api: ImageValues };
  region: pulumi.Input<string>;
  mongoDatabase: string;
  jobsNamespace: string;
  maxConcurrentTasks: number;
  logLevel: string;
  /** Non-AWS S3 (the emulators); unset on AWS. */
  s3Endpoint?: string | undefined;
}

/** The chart values from the other components' outputs: the one place the settings' names meet the resources. */
export function controlPlaneValues(
  c: { storage: Storage; transcode: TranscodeCluster; cluster: ControlPlaneCluster },
  s: ControlPlaneSettings,
): pulumi.Output<ReleaseValues> {
  return pulumi
    .all([
      c.storage.uploadsBucketName,
      c.storage.outputsBucketName,
      c.transcode.clusterName,
      pulumi.all([c.transcode.taskDefinitionArn, c.transcode.redisUrlSecretArn]),
      c.transcode.subnetIds,
      c.transcode.securityGroupId,
      pulumi.all([c.cluster.serviceAccountAnnotations.operator, c.cluster.serviceAccountAnnotations.api]),
      s.region,
    ])
    .apply(([uploads, outputs, ecsCluster, [taskDefinition, taskRedisSecret], subnets, taskSg, [operatorAnnotations, apiAnnotations], region]): ReleaseValues => {
      const sa = (name: string, annotations: Record<string, string> = {}) => ({ name, annotations });
      return {
        jobsNamespace: s.jobsNamespace,
        // For every process that reads them: the chart gives each ConfigMap only its own.
        env: {
          AWS_REGION: region,
          UPLOADS_BUCKET: uploads,
          UPLOADS_PREFIX: c.storage.uploadsPrefix,
          OUTPUTS_BUCKET: outputs,
          MONGODB_DATABASE: s.mongoDatabase,
          LOG_LEVEL: s.logLevel,
          ...(s.s3Endpoint === undefined ? {} : { S3_ENDPOINT: s.s3Endpoint, S3_FORCE_PATH_STYLE: "true" }),
        },
        operator: {
          image: s.images.operator,
          serviceAccount: sa(c.cluster.serviceAccounts.operator, operatorAnnotations),
          // LAUNCHER=ecs is the chart's own setting.
          env: {
            MAX_CONCURRENT_TASKS: String(s.maxConcurrentTasks),
            ECS_CLUSTER: ecsCluster,
            ECS_TASK_DEFINITION: taskDefinition,
            TASK_REDIS_SECRET_ARN: taskRedisSecret,
            ECS_CONTAINER_NAME: c.transcode.containerName,
            ECS_SUBNETS: subnets.join(","),
            ECS_SECURITY_GROUPS: taskSg,
          },
        },
        bridge: { image: s.images.bridge, serviceAccount: sa(c.cluster.serviceAccounts.bridge), env: {} },
        api: { image: s.images.api, serviceAccount: sa(c.cluster.serviceAccounts.api, apiAnnotations), env: {} },
      };
    });
}
