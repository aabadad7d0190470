import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { timingSafeEqual } from "node:crypto";
import type { Registry } from "prom-client";
import type { Logger } from "../../lib/log.js";
import { ingestRecords, type IngestMetrics, type UploadStream } from "../../lib/uploads/index.js";

export interface WebhookReceiverOptions {
  stream: UploadStream;
  log: Logger;
  metrics: IngestMetrics;
  /** Served at /metrics when given. */
  registry?: Registry;
  prefix: string;
  /** The buckets served; events for others are ignored (lambda/core.ts). */
  buckets: readonly string[];
  maxBytes?: number | undefined;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** When set, requests must carry it (MinIO's MINIO_NOTIFY_WEBHOOK_AUTH_TOKEN_<ID>), with or without "Bearer ". */
  authToken?: string;
  maxBodyBytes?: number;
}

export interface WebhookReceiver {
  url: string;
  port: number;
  close(): Promise<void>;
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Answer now and discard the rest, so the client reads a 413 rather than a reset connection.
        req.removeAllListeners("data");
        req.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function authorized(header: string | undefined, token: string | undefined): boolean {
  if (token === undefined) return true;
  if (header === undefined) return false;
  const given = Buffer.from(header.replace(/^Bearer\s+/i, ""));
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Local (embedded) mode: MinIO posts bucket notifications here ({EventName, Key, Records: [...]}, the
 * records in S3 event shape) and they go through the same ingest core as the AWS lambda. 200 tells MinIO
 * the event is safe; 503 (Redis unreachable) makes MinIO keep it in its queue dir and retry.
 */
export async function startWebhookReceiver(options: WebhookReceiverOptions): Promise<WebhookReceiver> {
  const { log, metrics } = options;
  const limit = options.maxBodyBytes ?? 1024 * 1024;
  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      log.error({ error: err instanceof Error ? err.message : String(err) }, "webhook request failed");
      if (!res.headersSent) reply(res, 500, { error: "internal error" });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && path === "/healthz") return reply(res, 200, { ok: true });
    if (req.method === "GET" && path === "/metrics" && options.registry) {
      const text = await options.registry.metrics();
      res.writeHead(200, { "content-type": options.registry.contentType });
      res.end(text);
      return;
    }
    // MinIO probes a webhook target with HEAD/GET before it sends; any 2xx means "online".
    if (req.method === "HEAD" || req.method === "GET") return reply(res, 200, { ok: true });
    if (req.method !== "POST") return reply(res, 405, { error: "method not allowed" });
    if (!authorized(req.headers.authorization, options.authToken)) {
      metrics.record("rejected", "unauthorized");
      log.warn({ remote: req.socket.remoteAddress }, "webhook request rejected: bad or missing auth token");
      return reply(res, 401, { error: "unauthorized" });
    }
    let text: string;
    try {
      text = await readBody(req, limit);
    } catch (err) {
      if (err instanceof BodyTooLarge) {
        metrics.record("rejected", "too-large");
        log.warn({ limit }, "webhook request rejected: body too large");
        res.setHeader("connection", "close");
        return reply(res, 413, { error: `body larger than ${limit} bytes` });
      }
      throw err;
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      metrics.record("rejected", "bad-envelope");
      log.warn("webhook request rejected: body is not JSON");
      return reply(res, 400, { error: "body is not JSON" });
    }
    const records = typeof body === "object" && body !== null && "Records" in body ? body.Records : undefined;
    if (!Array.isArray(records)) {
      metrics.record("rejected", "bad-envelope");
      log.warn("webhook request rejected: no Records array");
      return reply(res, 400, { error: "expected a MinIO notification with a Records array" });
    }
    const results = await ingestRecords(records, { stream: options.stream, log, metrics, classify: { prefix: options.prefix, buckets: options.buckets, maxBytes: options.maxBytes } });
    const failed = results.filter((r) => r.kind === "failed").length;
    return reply(res, failed > 0 ? 503 : 200, { results });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  const url = `http://${address}:${port}/`;
  log.info({ url }, "webhook receiver listening");
  let closed: Promise<void> | undefined;
  return {
    url,
    port,
    close: () =>
      (closed ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeIdleConnections();
      })),
  };
}
