// Local (embedded) mode: MinIO bucket notifications -> the same ingest core as the AWS lambda.
export { startWebhookReceiver, type WebhookReceiver, type WebhookReceiverOptions } from "./receiver.js";
export { configureUploadNotifications, minioWebhookArn } from "./notification.js";
