import { randomBytes } from "node:crypto";
import { binaries } from "../versions.js";
import type { S3Endpoint } from "../types.js";
import { httpOk, requireBinary, type StartContext } from "./context.js";

export interface MinioOptions {
  /** Sends bucket notifications to this webhook URL under the target id "TJ" (ARN arn:minio:sqs::TJ:webhook). */
  notifyWebhook?: string;
  /**
   * Keep undelivered events on disk and replay them (default true: an event sent while the receiver is down is
   * not lost). MinIO replays stored events on a fixed 3 s ticker, so this costs up to 3 s of latency; false posts
   * at once but drops what the receiver misses.
   */
  notifyQueueDir?: boolean;
}

/** MinIO with root credentials generated for this run only. */
export async function startMinio(ctx: StartContext, options: MinioOptions = {}): Promise<S3Endpoint> {
  requireBinary("minio", binaries.minio);
  const accessKeyId = `test${randomBytes(6).toString("hex")}`;
  const secretAccessKey = randomBytes(24).toString("base64url");
  const dir = ctx.dataDir("minio");
  return ctx.withPorts(2, async ([port, consolePort]) => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      MINIO_ROOT_USER: accessKeyId,
      MINIO_ROOT_PASSWORD: secretAccessKey,
      MINIO_BROWSER: "off",
      MINIO_UPDATE: "off",
      MINIO_CI_CD: "1",
    };
    if (options.notifyWebhook) {
      env.MINIO_NOTIFY_WEBHOOK_ENABLE_TJ = "on";
      env.MINIO_NOTIFY_WEBHOOK_ENDPOINT_TJ = options.notifyWebhook;
      if (options.notifyQueueDir !== false) env.MINIO_NOTIFY_WEBHOOK_QUEUE_DIR_TJ = ctx.dataDir("minio-events");
    }
    const proc = ctx.spawn({
      service: "minio",
      command: binaries.minio,
      args: ["server", dir, "--address", `127.0.0.1:${port}`, "--console-address", `127.0.0.1:${consolePort}`, "--quiet"],
      env,
    });
    const endpoint = `http://127.0.0.1:${port}`;
    await proc.waitReady(() => httpOk(`${endpoint}/minio/health/ready`), 60_000);
    return { endpoint, region: "us-east-1", accessKeyId, secretAccessKey, forcePathStyle: true };
  });
}
