import type { Logger } from "../log.js";
import type { UploadStream } from "./append.js";
import { jobNameFor } from "./identity.js";
import type { IngestMetrics } from "./metrics.js";
import { classifyRecord, type ClassifyOptions } from "./s3-event.js";

/** Per-record result of ingesting S3 event records; `failed` is the only one worth a retry. */
export type IngestResult =
  | { kind: "appended"; id: string; duplicate: boolean; jobName: string }
  | { kind: "ignored"; reason: string }
  | { kind: "rejected"; error: string }
  | { kind: "failed"; error: string };

export interface IngestDeps {
  stream: UploadStream;
  log: Logger;
  metrics: IngestMetrics;
  classify?: ClassifyOptions;
}

/**
 * The one core behind every transport (AWS Lambda, MinIO webhook): classify each record, append the
 * uploads, and say per record what happened. Records are independent: one bad record never fails the
 * others, and nothing here throws.
 */
export async function ingestRecords(records: readonly unknown[], deps: IngestDeps): Promise<IngestResult[]> {
  return Promise.all(records.map((raw) => ingestOne(raw, deps)));
}

async function ingestOne(raw: unknown, { stream, log, metrics, classify }: IngestDeps): Promise<IngestResult> {
  const outcome = classifyRecord(raw, classify);
  switch (outcome.kind) {
    case "rejected":
      metrics.record("rejected", "malformed");
      log.warn({ error: outcome.error }, "upload event rejected: malformed record");
      return { kind: "rejected", error: outcome.error };
    case "ignored":
      metrics.record("ignored", outcome.reason);
      log.info({ reason: outcome.reason, detail: outcome.detail, bucket: outcome.bucket, key: outcome.key }, "upload event ignored");
      return { kind: "ignored", reason: outcome.reason };
    case "entry": {
      const { entry } = outcome;
      const jobName = jobNameFor(entry.idempotencyKey);
      try {
        const { id, duplicate } = await stream.append(entry);
        metrics.record(duplicate ? "duplicate" : "appended", duplicate ? "redelivered" : "new");
        log.info({ id, duplicate, jobName, bucket: entry.bucket, key: entry.key, owner: entry.ownerId }, duplicate ? "upload event already on the stream" : "upload event appended");
        return { kind: "appended", id, duplicate, jobName };
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        metrics.record("failed", "append-error");
        log.error({ error, bucket: entry.bucket, key: entry.key }, "upload event could not be appended; the sender should retry");
        return { kind: "failed", error };
      }
    }
  }
}
