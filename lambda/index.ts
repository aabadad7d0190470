// The upload-trigger lambda: AWS transport (handler), its testable core, and the local MinIO webhook receiver.
export { handler } from "./handler.js";
export { createUploadHandler, RetryableInvocationError, type BatchResponse, type DirectResponse, type UploadHandlerDeps } from "./core.js";
export { parseEnvelope, type Envelope, type Unit } from "./envelope.js";
export { loadLambdaConfig, lambdaSettings, loadWebhookConfig, webhookSettings, type LambdaConfig, type WebhookConfig } from "./config.js";
export { startWebhookReceiver, configureUploadNotifications, minioWebhookArn, type WebhookReceiver, type WebhookReceiverOptions } from "./local/index.js";
