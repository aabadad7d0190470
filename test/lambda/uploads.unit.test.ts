import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  classifyRecord,
  decodeEntryFields,
  decodeS3EventKey,
  encodeEntryFields,
  idempotencyKey,
  isMediaObject,
  jobNameFor,
  filenameOf,
  slugOf,
  parseUploadKey,
  type UploadEntry,
} from "../../lib/uploads/index.js";
import { awsRecord, minioRecord } from "./records.js";

describe("uploads: key decoding", () => {
  const cases: [raw: string, decoded: string | undefined][] = [
    ["uploads/alice/u1/my+holiday+video.mp4", "uploads/alice/u1/my holiday video.mp4"],
    ["uploads/alice/u1/bob%40example.com.mov", "uploads/alice/u1/bob@example.com.mov"],
    ["uploads/alice/u1/a%2Bb.mp4", "uploads/alice/u1/a+b.mp4"],
    ["uploads/alice/u1/%E6%97%A5%E6%9C%AC%E8%AA%9E.mkv", "uploads/alice/u1/日本語.mkv"],
    ["uploads/alice/u1/caf%C3%A9%20%F0%9F%8E%AC.webm", "uploads/alice/u1/café 🎬.webm"],
    ["uploads/alice/u1/100%.mp4", undefined],
    ["uploads/alice/u1/%E6%97.mp4", undefined],
  ];
  for (const [raw, decoded] of cases) {
    it(`${raw} -> ${String(decoded)}`, () => assert.equal(decodeS3EventKey(raw), decoded));
  }
});

describe("uploads: key layout", () => {
  const cases: [key: string, expected: { ownerId: string; uploadId: string; filename: string } | string][] = [
    ["uploads/alice/u-1/film.mp4", { ownerId: "alice", uploadId: "u-1", filename: "film.mp4" }],
    ["uploads/user-42/01J0ABC/holiday video.MOV", { ownerId: "user-42", uploadId: "01J0ABC", filename: "holiday video.MOV" }],
    ["other/alice/u1/film.mp4", "outside-prefix"],
    ["uploadsalice/u1/film.mp4", "outside-prefix"],
    ["uploads/alice/film.mp4", "bad-layout"],
    ["uploads/alice/u1/", "bad-layout"],
    ["uploads/alice/u1/sub/film.mp4", "bad-layout"],
    ["uploads/Alice/u1/film.mp4", "bad-owner"],
    ["uploads/al_ice/u1/film.mp4", "bad-owner"],
    [`uploads/${"a".repeat(64)}/u1/film.mp4`, "bad-owner"],
    ["uploads/alice/../film.mp4", "bad-layout"],
  ];
  for (const [key, expected] of cases) {
    it(`${key.slice(0, 60)} -> ${typeof expected === "string" ? expected : "ok"}`, () => {
      const r = parseUploadKey(key);
      if (typeof expected === "string") {
        assert.equal(r.ok, false);
        if (!r.ok) assert.equal(r.reason, expected);
      } else {
        assert.deepEqual(r, { ok: true, value: expected });
      }
    });
  }
});

describe("uploads: audio and video detection", () => {
  const cases: [file: string, type: string | undefined, media: boolean][] = [
    ["a.mp4", undefined, true],
    ["a.MOV", undefined, true],
    ["a.mkv", "application/octet-stream", true],
    ["clip", "video/quicktime", true],
    ["a.ts", "video/mp2t", true],
    ["a.jpg", undefined, false],
    ["a.mp4", "image/jpeg", false],
    ["notes.txt", "text/plain", false],
    ["noext", undefined, false],
    // Audio uploads become audio-only ladders.
    ["talk.mp3", undefined, true],
    ["memo.m4a", "application/octet-stream", true],
    ["loop.aac", undefined, true],
    ["take.FLAC", undefined, true],
    ["raw.wav", undefined, true],
    ["song.ogg", undefined, true],
    ["note.opus", undefined, true],
    ["note", "audio/ogg", true],
    ["song.mp3", "audio/mpeg", true],
    ["cover.mp3", "image/png", false],
  ];
  for (const [file, type, media] of cases) {
    it(`${file} (${type ?? "no type"}) -> ${media}`, () => assert.equal(isMediaObject(file, type), media));
  }
});

describe("uploads: identity and job name", () => {
  it("prefers the version id, else the unquoted ETag", () => {
    assert.equal(idempotencyKey({ bucket: "b", key: "k", versionId: "v1", etag: "e" }), "b/k@v1");
    assert.equal(idempotencyKey({ bucket: "b", key: "k", etag: '"abc"' }), "b/k@abc");
    assert.equal(idempotencyKey({ bucket: "b", key: "k", versionId: "null", etag: "abc" }), "b/k@abc");
    assert.throws(() => idempotencyKey({ bucket: "b", key: "k" }));
  });
  it("names jobs <slug of the file name>-<16 hex of sha256(bucket/key)>: readable, one per upload id", () => {
    const key = "uploads-bucket/uploads/alice/u1/Holiday Clip.mp4@abc";
    const want = `holiday-clip-${createHash("sha256").update("uploads-bucket/uploads/alice/u1/Holiday Clip.mp4").digest("hex").slice(0, 16)}`;
    assert.equal(jobNameFor(key), want);
    assert.equal(jobNameFor(key), jobNameFor(key), "every delivery of the upload maps to the same job");
    assert.equal(jobNameFor("uploads-bucket/uploads/alice/u1/Holiday Clip.mp4@abd"), want, "a replayed form (new bytes, new ETag) is the same upload id: the same job");
    assert.notEqual(jobNameFor("uploads-bucket/uploads/alice/u2/Holiday Clip.mp4@abc"), want, "another upload id is another job");
    assert.notEqual(jobNameFor(key, "ladder-digest"), want, "another rendition set of the same upload is another job");
    assert.match(jobNameFor(key, "ladder-digest"), /^holiday-clip-[0-9a-f]{16}$/);
  });
  const slugs: [filename: string, slug: string][] = [
    ["clip.mp4", "clip"],
    ["bob@example.com clip.mp4", "bob-example-com-clip"],
    ["Café au lait – été.MOV", "cafe-au-lait-ete"],
    ["___.mp4", "upload"],
    ["日本.mp4", "upload"],
    ["2024-01-01 trip.mkv", "2024-01-01-trip"],
    ["x".repeat(60) + ".mp4", "x".repeat(40)],
    ["a".repeat(39) + " b.mp4", "a".repeat(39)],
    ["talk.mp3", "talk"],
  ];
  for (const [filename, slug] of slugs) {
    it(`slug of ${JSON.stringify(filename.slice(0, 30))} -> ${slug.slice(0, 20)}; the name is a DNS-1123 label`, () => {
      assert.equal(slugOf(filename), slug);
      const name = jobNameFor(`b/uploads/alice/u1/${filename}@e1`);
      assert.equal(name, `${slug}-${name.slice(-16)}`);
      assert.match(name, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      assert.ok(name.length <= 57, name);
    });
  }
  it("takes the file name from the idempotency key, whatever '@' the key holds", () => {
    assert.equal(filenameOf("b/uploads/alice/u1/bob@example.com clip.mp4@v-1"), "bob@example.com clip.mp4");
    assert.equal(filenameOf("b/k.mp4@legacy"), "k.mp4");
  });
});

describe("uploads: classifying S3 event records", () => {
  it("turns an AWS ObjectCreated record into an entry with the decoded key and owner", () => {
    const r = classifyRecord(awsRecord({ key: "uploads/alice/u1/bob%40example.com+clip.mp4", eTag: "0123abcd" }));
    assert.equal(r.kind, "entry");
    if (r.kind !== "entry") return;
    assert.equal(r.entry.key, "uploads/alice/u1/bob@example.com clip.mp4");
    assert.equal(r.entry.ownerId, "alice");
    assert.equal(r.entry.uploadId, "u1");
    assert.equal(r.entry.origin, "s3");
    assert.equal(r.entry.idempotencyKey, "uploads-bucket/uploads/alice/u1/bob@example.com clip.mp4@0123abcd");
  });
  it("reads MinIO's record shape (s3: prefix on the event name, contentType)", () => {
    const r = classifyRecord(minioRecord({ key: "uploads/bob/u2/clip", contentType: "video/mp4" }));
    assert.equal(r.kind, "entry");
    if (r.kind === "entry") assert.equal(r.entry.origin, "minio");
  });
  const ignored: [what: string, record: unknown, reason: string][] = [
    ["outside the prefix", awsRecord({ key: "avatars/alice.png" }), "outside-prefix"],
    ["not a video", awsRecord({ key: "uploads/alice/u1/photo.jpg" }), "not-media"],
    ["an empty object", awsRecord({ key: "uploads/alice/u1/a.mp4", size: 0 }), "empty-object"],
    ["a delete", awsRecord({ key: "uploads/alice/u1/a.mp4", eventName: "ObjectRemoved:Delete" }), "not-object-created"],
    ["an upper-case owner", awsRecord({ key: "uploads/ALICE/u1/a.mp4" }), "bad-owner"],
  ];
  for (const [what, record, reason] of ignored) {
    it(`ignores ${what} (${reason})`, () => {
      const r = classifyRecord(record);
      assert.equal(r.kind, "ignored");
      if (r.kind === "ignored") assert.equal(r.reason, reason);
    });
  }
  it("ignores an event for a bucket it does not serve (foreign-bucket), before anything else", () => {
    const r = classifyRecord(awsRecord({ key: "uploads/alice/u1/a.mp4", bucket: "someone-elses" }), { buckets: ["uploads-bucket"] });
    assert.equal(r.kind, "ignored");
    if (r.kind === "ignored") assert.equal(r.reason, "foreign-bucket");
    assert.equal(classifyRecord(awsRecord({ key: "uploads/alice/u1/a.mp4", bucket: "uploads-bucket" }), { buckets: ["uploads-bucket"] }).kind, "entry");
  });
  it("ignores an event for an object over the size limit (too-large): an oversized completed upload never becomes a job", () => {
    const r = classifyRecord(awsRecord({ key: "uploads/alice/u1/a.mp4", size: 2049 }), { maxBytes: 2048 });
    assert.equal(r.kind, "ignored");
    if (r.kind === "ignored") assert.equal(r.reason, "too-large");
    assert.equal(classifyRecord(awsRecord({ key: "uploads/alice/u1/a.mp4", size: 2048 }), { maxBytes: 2048 }).kind, "entry");
  });
  const rejected: [what: string, record: unknown][] = [
    ["null", null],
    ["a string", "uploads/alice/u1/a.mp4"],
    ["a record without s3", { eventSource: "aws:s3", eventName: "ObjectCreated:Put" }],
    ["a key with broken escapes", awsRecord({ key: "uploads/alice/u1/100%.mp4" })],
    ["a record with neither eTag nor versionId", awsRecord({ key: "uploads/alice/u1/a.mp4", eTag: null })],
    ["a negative size", awsRecord({ key: "uploads/alice/u1/a.mp4", size: -1 })],
  ];
  for (const [what, record] of rejected) {
    it(`rejects ${what}`, () => assert.equal(classifyRecord(record).kind, "rejected"));
  }
  it("honours a custom prefix", () => {
    assert.equal(classifyRecord(awsRecord({ key: "in/alice/u1/a.mp4" }), { prefix: "in/" }).kind, "entry");
  });
});

describe("uploads: stream entry fields", () => {
  const entry: UploadEntry = {
    v: 1, idempotencyKey: "b/k@e", bucket: "b", key: "uploads/a/u/f.mp4", etag: "e", ownerId: "a", uploadId: "u", filename: "f.mp4", origin: "s3",
  };
  it("round-trips", () => assert.deepEqual(decodeEntryFields(encodeEntryFields(entry)), { ok: true, entry }));
  const bad: [what: string, fields: string[] | null][] = [
    ["no fields", null],
    ["no entry field", ["idem", "x"]],
    ["not JSON", ["entry", "{"]],
    ["a wrong schema", ["entry", JSON.stringify({ ...entry, ownerId: "Bad Owner" })]],
  ];
  for (const [what, fields] of bad) {
    it(`reports ${what} as an error`, () => {
      const r = decodeEntryFields(fields);
      assert.equal(r.ok, false);
      if (!r.ok) assert.ok(r.error.length > 0);
    });
  }
});
