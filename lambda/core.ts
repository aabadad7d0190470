import type { Logger } from "../lib/log.js";
import { ingestRecords, TallyIngestMetrics, type IngestMetrics, type UploadStream } from "../lib/uploads/index.js";
import { parseEnvelope } from "./envelope.js";

/** What SQS's ReportBatchItemFailures expects back: only the messages to redeliver. */
export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}
export interface DirectResponse {
  appended: number;
  duplicates: number;
  ignored: number;
  rejected: number;
}

export interface UploadHandlerDeps {
  stream: UploadStream;
  log: Logger;
  prefix: string;
  /** The buckets served (UPLOADS_BUCKET and SOURCE_BUCKETS): an event for another bucket is ignored, never a job. */
  buckets: readonly string[];
  /** UPLOAD_MAX_BYTES: an event for a larger object is ignored (too-large). */
  maxBytes?: number | undefined;
  /** Extra sink for the counts (tests); every invocation also logs them in Embedded Metric Format. */
  metrics?: IngestMetrics;
}

/** Thrown for a direct S3 invocation with a record that could not be appended, so Lambda retries the event. */
export class RetryableInvocationError extends Error {
  override readonly name = "RetryableInvocationError";
}

/**
 * The lambda's logic without the AWS runtime: SQS batches report exactly the failed messages (the rest
 * are deleted from the queue); a direct S3 invocation throws so Lambda's async retry redelivers it; the
 * idempotent append makes the already-appended records of a retried event add nothing.
 * Malformed and ignored records are logged and counted, never retried, never a crash.
 */
export function createUploadHandler(deps: UploadHandlerDeps) {
  return async (event: unknown): Promise<BatchResponse | DirectResponse> => {
    const tally = new TallyIngestMetrics();
    const metrics: IngestMetrics = {
      record: (outcome, reason) => {
        tally.record(outcome, reason);
        deps.metrics?.record(outcome, reason);
      },
    };
    const envelope = parseEnvelope(event);
    const ingestDeps = { stream: deps.stream, log: deps.log, metrics, classify: { prefix: deps.prefix, buckets: deps.buckets, maxBytes: deps.maxBytes } };
    let result: BatchResponse | DirectResponse;
    if (envelope.kind === "unknown") {
      metrics.record("rejected", "bad-envelope");
      deps.log.warn({ error: envelope.error }, "invocation rejected: not an S3 or SQS event");
      result = { appended: 0, duplicates: 0, ignored: 0, rejected: 1 };
    } else {
      const failedMessages: string[] = [];
      for (const unit of envelope.units) {
        if (unit.testEvent) {
          metrics.record("ignored", "test-event");
          deps.log.info("S3 test event ignored");
          continue;
        }
        if (unit.malformed) {
          metrics.record("rejected", "bad-envelope");
          deps.log.warn({ messageId: unit.messageId, error: unit.malformed }, "message rejected");
          continue;
        }
        const results = await ingestRecords(unit.records, ingestDeps);
        if (results.some((r) => r.kind === "failed")) failedMessages.push(unit.messageId ?? "");
      }
      if (envelope.kind === "sqs") {
        result = { batchItemFailures: failedMessages.map((id) => ({ itemIdentifier: id })) };
      } else if (failedMessages.length > 0) {
        emitEmf(deps.log, tally);
        throw new RetryableInvocationError(`${tally.total("failed")} record(s) could not be appended to the upload stream`);
      } else {
        result = {
          appended: tally.total("appended"),
          duplicates: tally.total("duplicate"),
          ignored: tally.total("ignored"),
          rejected: tally.total("rejected"),
        };
      }
    }
    emitEmf(deps.log, tally);
    return result;
  };
}

/** One log line CloudWatch turns into metrics (Embedded Metric Format), so ignored/rejected events are graphed. */
function emitEmf(log: Logger, tally: TallyIngestMetrics): void {
  const names = ["appended", "duplicate", "ignored", "rejected", "failed"] as const;
  log.info(
    {
      _aws: {
        Timestamp: Date.now(),
        CloudWatchMetrics: [{ Namespace: "Transcoder/Uploads", Dimensions: [[]], Metrics: names.map((n) => ({ Name: n, Unit: "Count" })) }],
      },
      ...Object.fromEntries(names.map((n) => [n, tally.total(n)])),
    },
    "upload events processed",
  );
}
