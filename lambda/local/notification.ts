import { PutBucketNotificationConfigurationCommand, type S3Client } from "@aws-sdk/client-s3";

/** The ARN MinIO gives a webhook target configured with MINIO_NOTIFY_WEBHOOK_*_<id>. */
export function minioWebhookArn(targetId: string = "TJ", region: string = ""): string {
  return `arn:minio:sqs:${region}:${targetId}:webhook`;
}

/**
 * Points a bucket's ObjectCreated notifications under `prefix` at MinIO's webhook target, through the
 * standard S3 API (no `mc`). MinIO refuses an ARN whose target is not configured, which surfaces here.
 */
export async function configureUploadNotifications(s3: S3Client, bucket: string, options: { arn?: string; prefix: string }): Promise<void> {
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: bucket,
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            Id: "transcoder-uploads",
            QueueArn: options.arn ?? minioWebhookArn(),
            Events: ["s3:ObjectCreated:*"],
            Filter: { Key: { FilterRules: [{ Name: "prefix", Value: options.prefix }] } },
          },
        ],
      },
    }),
  );
}
