import assert from "node:assert/strict";
import { createLogger } from "../../lib/log.js";
import { TallyIngestMetrics, type AppendResult, type UploadEntry, type UploadStream } from "../../lib/uploads/index.js";
import { createUploadHandler, parseEnvelope, RetryableInvocationError } from "../../lambda/index.js";
import { awsRecord } from "./records.js";

/** An in-memory UploadStream (the project's own port) that can be told to fail for chosen keys. */
class MemoryStream implements UploadStream {
  readonly entries = new Map<string, UploadEntry>();
  constructor(private readonly failFor: (e: UploadEntry) => boolean = () => false) {}
  append(entry: UploadEntry): Promise<AppendResult> {
    if (this.failFor(entry)) return Promise.reject(new Error("connection refused"));
    const duplicate = this.entries.has(entry.idempotencyKey);
    if (!duplicate) this.entries.set(entry.idempotencyKey, entry);
    return Promise.resolve({ id: `${this.entries.size}-0`, duplicate });
  }
}

const log = createLogger("test", { level: "silent" });
const sqs = (messageId: string, body: unknown) => ({ messageId, eventSource: "aws:sqs", body: typeof body === "string" ? body : JSON.stringify(body) });

describe("lambda: envelope", () => {
  const cases: [what: string, event: unknown, kind: string, units: number][] = [
    ["a direct S3 invocation", { Records: [awsRecord({ key: "uploads/a/u/f.mp4" })] }, "s3", 1],
    ["an SQS batch", { Records: [sqs("m1", { Records: [] }), sqs("m2", { Records: [] })] }, "sqs", 2],
    ["an S3 test event", { Event: "s3:TestEvent", Service: "Amazon S3" }, "s3", 1],
    ["a string", "hello", "unknown", 0],
    ["an object without Records", { foo: 1 }, "unknown", 0],
  ];
  for (const [what, event, kind, units] of cases) {
    it(`${what} -> ${kind}`, () => {
      const e = parseEnvelope(event);
      assert.equal(e.kind, kind);
      if (e.kind !== "unknown") assert.equal(e.units.length, units);
    });
  }
  it("marks unreadable SQS bodies as malformed", () => {
    const e = parseEnvelope({ Records: [sqs("m1", "{not json"), sqs("m2", { nope: 1 }), { eventSource: "aws:sqs", messageId: "m3" }] });
    assert.equal(e.kind, "sqs");
    if (e.kind === "sqs") assert.deepEqual(e.units.map((u) => Boolean(u.malformed)), [true, true, true]);
  });
});

describe("lambda: handler core", () => {
  it("appends uploads, counts duplicates, ignores and rejects without failing", async () => {
    const stream = new MemoryStream();
    const metrics = new TallyIngestMetrics();
    const handle = createUploadHandler({ stream, log, prefix: "uploads/", buckets: ["uploads-bucket"], metrics });
    const records = [
      awsRecord({ key: "uploads/alice/u1/a.mp4" }),
      awsRecord({ key: "uploads/alice/u1/a.mp4" }),
      awsRecord({ key: "uploads/alice/u1/b.jpg" }),
      awsRecord({ key: "elsewhere/x.mp4" }),
      { garbage: true },
    ];
    const out = await handle({ Records: records });
    assert.deepEqual(out, { appended: 1, duplicates: 1, ignored: 2, rejected: 1 });
    assert.equal(stream.entries.size, 1);
    assert.equal(metrics.total("ignored"), 2);
  });

  it("reports exactly the SQS messages whose records failed", async () => {
    const stream = new MemoryStream((e) => e.ownerId === "bob");
    const handle = createUploadHandler({ stream, log, prefix: "uploads/", buckets: ["uploads-bucket"] });
    const out = await handle({
      Records: [
        sqs("ok", { Records: [awsRecord({ key: "uploads/alice/u1/a.mp4" })] }),
        sqs("fails", { Records: [awsRecord({ key: "uploads/alice/u2/a.mp4" }), awsRecord({ key: "uploads/bob/u1/b.mp4" })] }),
        sqs("malformed", "{"),
        sqs("test", { Event: "s3:TestEvent" }),
      ],
    });
    assert.deepEqual(out, { batchItemFailures: [{ itemIdentifier: "fails" }] });
    assert.equal(stream.entries.size, 2, "the good record of the failed message is appended too (a retry adds nothing)");
  });

  it("throws on a direct invocation with a failed record so Lambda retries it", async () => {
    const handle = createUploadHandler({ stream: new MemoryStream(() => true), log, prefix: "uploads/", buckets: ["uploads-bucket"] });
    await assert.rejects(handle({ Records: [awsRecord({ key: "uploads/alice/u1/a.mp4" })] }), RetryableInvocationError);
  });

  it("answers a non-S3 event without throwing", async () => {
    const handle = createUploadHandler({ stream: new MemoryStream(), log, prefix: "uploads/", buckets: ["uploads-bucket"] });
    assert.deepEqual(await handle(42), { appended: 0, duplicates: 0, ignored: 0, rejected: 1 });
  });
});
