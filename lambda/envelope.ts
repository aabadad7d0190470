/**
 * The two ways S3 notifications reach the function: invoked by S3 directly (Records of eventSource
 * "aws:s3"), or through an SQS queue (Records of eventSource "aws:sqs" whose body is the S3 event JSON).
 * Pure: splits an invocation into units that succeed or fail together.
 */
export interface Unit {
  /** The SQS messageId; undefined for a direct S3 invocation. */
  messageId?: string;
  records: unknown[];
  /** Set when the unit cannot be read at all (not retried: retrying cannot fix it). */
  malformed?: string;
  /** An S3 "s3:TestEvent" sent when a notification is configured: nothing to do. */
  testEvent?: boolean;
}

export type Envelope = { kind: "s3"; units: Unit[] } | { kind: "sqs"; units: Unit[] } | { kind: "unknown"; error: string };

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function s3Body(body: unknown): Omit<Unit, "messageId"> {
  if (!isObject(body)) return { records: [], malformed: "message body is not a JSON object" };
  if (body.Event === "s3:TestEvent") return { records: [], testEvent: true };
  if (!Array.isArray(body.Records)) return { records: [], malformed: "message body has no Records array" };
  return { records: body.Records };
}

export function parseEnvelope(event: unknown): Envelope {
  if (!isObject(event)) return { kind: "unknown", error: "event is not an object" };
  if (event.Event === "s3:TestEvent") return { kind: "s3", units: [{ records: [], testEvent: true }] };
  if (!Array.isArray(event.Records)) return { kind: "unknown", error: "event has no Records array" };
  const records: unknown[] = event.Records;
  const first = records[0];
  if (isObject(first) && first.eventSource === "aws:sqs") {
    return {
      kind: "sqs",
      units: records.map((r): Unit => {
        const messageId = isObject(r) && typeof r.messageId === "string" ? r.messageId : undefined;
        const body = isObject(r) ? r.body : undefined;
        if (typeof body !== "string") return { ...(messageId ? { messageId } : {}), records: [], malformed: "SQS record has no body" };
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch {
          return { ...(messageId ? { messageId } : {}), records: [], malformed: "SQS message body is not JSON" };
        }
        return { ...(messageId ? { messageId } : {}), ...s3Body(json) };
      }),
    };
  }
  return { kind: "s3", units: [{ records }] };
}
