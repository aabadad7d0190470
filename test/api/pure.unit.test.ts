import assert from "node:assert/strict";
import { z } from "zod";
import { validationError } from "../../api/http/route.js";
import { idempotencyDigest, renditionSet, requestHash } from "../../api/jobs/names.js";
import { decodeCursor, encodeCursor, newestFirst, pageOf } from "../../api/jobs/list.js";
import { toJobView } from "../../api/jobs/view.js";
import { openApiPath } from "../../api/openapi/document.js";
import { isOwnedUploadKey, newUploadKey } from "../../lib/uploads/index.js";
import { planParts } from "../../api/uploads/plans.js";
import { loadApiConfig } from "../../api/config.js";

const OWNER = "0f8fad5b-d9cb-469f-a165-70867728950e";

describe("api: pure logic", () => {
  describe("isOwnedUploadKey", () => {
    const table: [string, string, boolean][] = [
      ["own key", `uploads/${OWNER}/abc-123/movie.mp4`, true],
      ["other owner", "uploads/someone-else/abc-123/movie.mp4", false],
      ["owner id as a prefix of another", `uploads/${OWNER}x/abc/movie.mp4`, false],
      ["no upload id", `uploads/${OWNER}/movie.mp4`, false],
      ["nested deeper", `uploads/${OWNER}/a/b/movie.mp4`, false],
      ["dot-dot filename", `uploads/${OWNER}/a/..`, false],
      ["outside uploads/", `outputs/${OWNER}/a/movie.mp4`, false],
      ["leading slash", `/uploads/${OWNER}/a/movie.mp4`, false],
      ["empty", "", false],
    ];
    for (const [name, key, want] of table) {
      it(`${name} -> ${want}`, () => assert.equal(isOwnedUploadKey("uploads/", OWNER, key), want));
    }
    it("newUploadKey produces an owned key", () => {
      const { key, uploadId } = newUploadKey("uploads/", OWNER, "clip.mov");
      assert.ok(isOwnedUploadKey("uploads/", OWNER, key), key);
      assert.ok(key.endsWith(`/${uploadId}/clip.mov`));
    });
  });

  describe("planParts", () => {
    const MiB = 1024 * 1024;
    const table: [number, number, number][] = [
      [1, 5 * MiB, 1],
      [5 * MiB, 5 * MiB, 1],
      [5 * MiB + 1, 5 * MiB, 2],
      [100 * MiB, 5 * MiB, 20],
      [5 * 1024 * 1024 * MiB, 525 * MiB, 9987],
    ];
    for (const [size, partSize, partCount] of table) {
      it(`${size} bytes -> ${partCount} x ${partSize}`, () => {
        const p = planParts(size);
        assert.deepEqual(p, { partSize, partCount });
        assert.ok(p.partCount <= 10000 && p.partSize * p.partCount >= size);
      });
    }
  });

  describe("rendition sets, Idempotency-Keys and request hashes", () => {
    it("the same ladder and encoding written differently are one rendition set; another ladder or encoding is another", () => {
      const standard = renditionSet(undefined, undefined);
      assert.equal(renditionSet({ preset: "standard" }, {}), standard, "the defaults, spelt out");
      assert.equal(renditionSet({ preset: "standard" }, { x264Preset: "faster", segmentSeconds: 4 }), standard);
      assert.notEqual(renditionSet({ preset: "mobile" }, undefined), standard);
      assert.notEqual(renditionSet(undefined, { segmentSeconds: 2 }), standard);
      assert.equal(renditionSet({ renditions: [{ height: 720 }, { height: 360 }] }, {}), renditionSet({ renditions: [{ height: 360 }, { height: 720 }] }, {}), "rung order");
      assert.notEqual(renditionSet({ renditions: [{ height: 360, crf: 23 }] }, {}), renditionSet({ renditions: [{ height: 360 }] }, {}));
      assert.equal(renditionSet({ preset: "standard", renditions: [{ height: 360 }] }, {}), undefined, "not a ladder");
    });
    it("an Idempotency-Key's digest is per owner", () => {
      assert.equal(idempotencyDigest("alice", "k1"), idempotencyDigest("alice", "k1"));
      assert.notEqual(idempotencyDigest("alice", "k1"), idempotencyDigest("bob", "k1"));
    });
    it("the request hash ignores key order and undefined fields but not values", () => {
      const h = requestHash({ a: 1, b: { c: [1, 2], d: "x" } });
      assert.equal(h, requestHash({ b: { d: "x", c: [1, 2] }, a: 1, e: undefined }));
      assert.notEqual(h, requestHash({ a: 1, b: { c: [2, 1], d: "x" } }));
    });
  });

  describe("listing order and cursors", () => {
    const job = (id: string, createdAt: string) => ({ id, createdAt });
    const jobs = newestFirst([job("b", "2026-01-01T00:00:01Z"), job("a", "2026-01-01T00:00:01Z"), job("c", "2026-01-01T00:00:03Z"), job("d", "2026-01-01T00:00:00Z")]);
    it("newest first, then by name", () => assert.deepEqual(jobs.map((j) => j.id), ["c", "a", "b", "d"]));
    it("pages follow each other without gaps or repeats, the last has no cursor", () => {
      const seen: string[] = [];
      let page = pageOf(jobs, 3);
      seen.push(...page.items.map((j) => j.id));
      assert.ok(page.nextCursor);
      page = pageOf(jobs, 3, decodeCursor(page.nextCursor));
      seen.push(...page.items.map((j) => j.id));
      assert.deepEqual(seen, ["c", "a", "b", "d"]);
      assert.equal(page.nextCursor, undefined);
    });
    it("a job created after the first page does not shift the next", () => {
      const first = pageOf(jobs, 2);
      const later = newestFirst([...jobs, job("new", "2026-01-01T00:00:09Z")]);
      assert.deepEqual(pageOf(later, 2, decodeCursor(first.nextCursor!)).items.map((j) => j.id), ["b", "d"]);
    });
    it("a cursor that is not ours decodes to nothing", () => {
      assert.equal(decodeCursor("bm90LWpzb24"), undefined);
      assert.equal(decodeCursor(Buffer.from(JSON.stringify({ a: 1 })).toString("base64url")), undefined);
      assert.deepEqual(decodeCursor(encodeCursor({ createdAt: "t", id: "x" })), { createdAt: "t", id: "x" });
    });
  });

  describe("toJobView", () => {
    const base = {
      metadata: { name: "api-1", uid: "u-1", creationTimestamp: "2026-01-01T00:00:00Z", labels: { o: "x" } },
      spec: { source: { bucket: "b", key: "uploads/x/y/z.mp4" } },
    };
    it("no status yet -> Pending, zero attempts", () => {
      const v = toJobView(base);
      assert.equal(v.phase, "Pending");
      assert.equal(v.attempts, 0);
      assert.equal(v.cancelRequested, false);
      assert.equal(v.source.key, "uploads/x/y/z.mp4");
      assert.equal(v.progress, undefined);
    });
    it("a full status is carried over", () => {
      const v = toJobView({
        ...base,
        status: {
          phase: "Succeeded",
          attempts: 2,
          progress: { percent: 100, stage: "done" },
          startedAt: "2026-01-01T00:00:01Z",
          completedAt: "2026-01-01T00:01:00Z",
          outputs: { masterPlaylist: "o/master.m3u8", renditions: [] },
        },
      });
      assert.equal(v.phase, "Succeeded");
      assert.equal(v.attempts, 2);
      assert.deepEqual(v.progress, { percent: 100, stage: "done" });
      assert.equal(v.outputs?.masterPlaylist, "o/master.m3u8");
    });
    it("a Queued job says why it waits (its Admitted condition); a running one does not", () => {
      const cond = (status: string, reason: string, message: string) => [{ type: "Admitted", status, reason, message, lastTransitionTime: "2026-01-01T00:00:01Z" }];
      const held = toJobView({ ...base, status: { phase: "Queued", conditions: cond("False", "OwnerLimit", "owner at its limit of 2 running jobs") } });
      assert.deepEqual(held.waiting, { reason: "OwnerLimit", message: "owner at its limit of 2 running jobs" });
      const queued = toJobView({ ...base, status: { phase: "Queued", queuePosition: 3, conditions: cond("False", "Queued", "waiting for a free slot (position 3)") } });
      assert.equal(queued.queuePosition, 3);
      assert.deepEqual(queued.waiting, { reason: "Queued", message: "waiting for a free slot (position 3)" });
      assert.equal(toJobView({ ...base, status: { phase: "Running", conditions: cond("True", "SlotClaimed", "admitted for attempt 1") } }).waiting, undefined);
      assert.equal(toJobView({ ...base, status: { phase: "Queued", conditions: "junk" } }).waiting, undefined);
    });
    it("a failed job's message is a fixed sentence per reason, never the operator's internal text", () => {
      const failed = (reason: string) =>
        toJobView({ ...base, status: { phase: "Failed", reason, message: "NotMedia: ffmpeg: [mov,mp4] moov atom not found at /tmp/x (exit code 3); AccessDenied arn:aws:iam::123:role/t" } });
      assert.deepEqual([failed("NotMedia").reason, failed("NotMedia").message], ["NotMedia", "the upload is not an audio or video file"]);
      assert.equal(failed("BackoffLimitExceeded").message, "every attempt failed");
      assert.match(String(failed("SomethingNew").message), /Events/);
      for (const r of ["NotMedia", "BackoffLimitExceeded", "SomethingNew"]) assert.doesNotMatch(String(failed(r).message), /ffmpeg|moov|arn:|exit code/);
      assert.equal(toJobView({ ...base, status: { phase: "Pending", message: "internal" } }).message, undefined);
    });
    it("garbage in status fields is dropped, not thrown", () => {
      const v = toJobView({ ...base, status: { phase: "Exploded", progress: { percent: "lots" }, outputs: 7, attempts: "3" } });
      assert.equal(v.phase, "Pending");
      assert.equal(v.progress, undefined);
      assert.equal(v.outputs, undefined);
      assert.equal(v.attempts, 0);
    });
    it("a deletion timestamp means cancel requested", () => {
      assert.equal(toJobView({ ...base, metadata: { ...base.metadata, deletionTimestamp: new Date() } }).cancelRequested, true);
    });
    it("the file name comes from the annotation (else the key), the re-encoded job from its annotation", () => {
      assert.equal(toJobView(base).filename, base.spec.source.key.split("/").pop());
      const v = toJobView({
        ...base,
        metadata: { ...base.metadata, annotations: { "media.transcoder.dev/filename": "Holiday.mov", "media.transcoder.dev/reencodes": "holiday-0123456789abcdef" } },
      });
      assert.equal(v.filename, "Holiday.mov");
      assert.equal(v.reencodes, "holiday-0123456789abcdef");
    });
  });

  describe("validationError", () => {
    it("names the first offending field with its place", () => {
      const r = z.strictObject({ a: z.object({ b: z.number() }) }).safeParse({ a: { b: "x" } });
      assert.ok(!r.success);
      const e = validationError(r.error, "body");
      assert.equal(e.status, 400);
      assert.equal(e.field, "body.a.b");
      assert.match(e.message, /^body\.a\.b: /);
    });
    it("lists unknown fields", () => {
      const r = z.strictObject({ a: z.number() }).safeParse({ a: 1, evil: 2 });
      assert.ok(!r.success);
      assert.match(validationError(r.error, "body").message, /unknown field\(s\): evil/);
    });
  });

  it("openApiPath converts koa params", () => {
    assert.equal(openApiPath("/jobs/:id/events"), "/jobs/{id}/events");
    assert.equal(openApiPath("/healthz"), "/healthz");
  });

  describe("loadApiConfig", () => {
    const env = {
      API_SESSION_KEYS: "k".repeat(32),
      MONGODB_URL: "mongodb://127.0.0.1:1/",
      REDIS_URL: "redis://127.0.0.1:1",
      UPLOADS_BUCKET: "up-bucket",
      OUTPUTS_BUCKET: "out-bucket",
    };
    it("fills documented defaults", () => {
      const c = loadApiConfig(env).config;
      assert.equal(c.port, 8080);
      assert.equal(c.internalPort, 8081);
      assert.equal(c.secure, true);
      assert.equal(c.uploads.maxBytes, 5 * 1024 ** 3);
      assert.equal(c.login.maxFailuresPerSource, 5);
      assert.equal(c.login.maxFailuresPerAccount, 100);
      assert.deepEqual(c.session, { absoluteMs: 12 * 3600_000, idleMs: 30 * 60_000, heartbeatMs: 15_000 });
      assert.equal(c.playback.ttlSeconds, 4 * 3600);
      assert.deepEqual(c.tokens, { maxRequests: 600, windowSeconds: 60 });
      assert.equal(c.publicUrl, undefined);
      assert.equal(loadApiConfig({ ...env, API_PUBLIC_URL: "https://api.example.com/" }).config.publicUrl, "https://api.example.com");
    });
    it("cookies are Secure unless the insecure-local switch is set; the old session lifetime name still works", () => {
      assert.equal(loadApiConfig({ ...env, API_INSECURE_HTTP: "true" }).config.secure, false);
      assert.equal(loadApiConfig({ ...env, API_SESSION_MAX_AGE_SECONDS: "3600" }).config.session.absoluteMs, 3600_000);
    });
    it("lists every bad value at once", () => {
      assert.throws(
        () => loadApiConfig({ ...env, API_SESSION_KEYS: "short", HTTP_PORT: "http" }),
        (e: Error) => /API_SESSION_KEYS/.test(e.message) && /HTTP_PORT/.test(e.message),
      );
    });
    it("the internal server needs a port of its own (any free one for both is fine)", () => {
      assert.throws(() => loadApiConfig({ ...env, INTERNAL_HTTP_PORT: "8080" }), (e: Error) => /INTERNAL_HTTP_PORT: must differ from HTTP_PORT/.test(e.message));
      assert.equal(loadApiConfig({ ...env, HTTP_PORT: "0", INTERNAL_HTTP_PORT: "0" }).config.internalPort, 0);
    });
  });
});
