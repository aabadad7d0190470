import assert from "node:assert/strict";
import { HeadObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { pino } from "pino";
import { sweepIncompleteUploads } from "../../api/uploads/sweeper.js";
import { assertProblem, postForm, startHarness, type Harness } from "./harness.js";

const quiet = pino({ enabled: false });

type Post = { url: string; fields: Record<string, string>; key: string; maxBytes: number };

describe("api: uploads against the real S3 server", function () {
  this.timeout(60_000);
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  async function presign(): Promise<{ c: ReturnType<Harness["client"]>; post: Post; userId: string }> {
    const c = h.client();
    const u = await c.signupAndLogin();
    const r = await c.call("POST", "/uploads/presigned-post", { json: { filename: "movie.mov", contentType: "video/quicktime" } });
    assert.equal(r.status, 201, r.text);
    return { c, post: r.body as unknown as Post, userId: u.id };
  }

  async function exists(key: string): Promise<boolean> {
    return h.s3.send(new HeadObjectCommand({ Bucket: h.config.s3.uploadsBucket, Key: key })).then(
      () => true,
      () => false,
    );
  }

  it("the policy's limits are enforced by S3 itself: size, content type, key", async () => {
    const { post } = await presign();
    assert.equal(post.maxBytes, h.config.uploads.maxBytes);

    const over = await postForm(post, new Uint8Array(post.maxBytes + 1));
    assert.ok(over.status >= 400 && over.status < 500, `oversize: ${over.status} ${over.text}`);
    assert.match(over.text, /EntityTooLarge|content-length-range|too large/i);

    const empty = await postForm(post, new Uint8Array(0));
    assert.ok(empty.status >= 400, `empty: ${empty.status}`);

    const wrongType = await postForm(post, new Uint8Array(100), (f) => {
      f["Content-Type"] = "text/html";
    });
    assert.equal(wrongType.status, 403, `content type: ${wrongType.text}`);

    const otherPrefix = await postForm(post, new Uint8Array(100), (f) => {
      f.key = "uploads/someone-else/x/movie.mov";
    });
    assert.equal(otherPrefix.status, 403, `key: ${otherPrefix.text}`);
    assert.equal(await exists("uploads/someone-else/x/movie.mov"), false);
    assert.equal(await exists(post.key), false, "no refused upload left an object");

    const ok = await postForm(post, new Uint8Array(post.maxBytes));
    assert.equal(ok.status, 204, ok.text);
    assert.equal(await exists(post.key), true);
  });

  it("audio uploads get a form too, within the same limits; the policy pins the declared type", async () => {
    const { c } = await presign();
    for (const [filename, contentType] of [
      ["talk.mp3", "audio/mpeg"],
      ["memo.m4a", "audio/mp4"],
      ["loop.aac", "audio/aac"],
      ["take.flac", "audio/flac"],
      ["raw.wav", "audio/wav"],
      ["song.ogg", "audio/ogg"],
      ["note.opus", "audio/opus"],
    ] as const) {
      const r = await c.call("POST", "/uploads/presigned-post", { json: { filename, contentType } });
      assert.equal(r.status, 201, `${filename}: ${r.text}`);
      const post = r.body as { key: string; url: string; fields: Record<string, string>; maxBytes: number };
      assert.equal(post.fields["Content-Type"], contentType);
      assert.equal(post.maxBytes, h.config.uploads.maxBytes);
      if (filename !== "talk.mp3") continue;
      const relabelled = await postForm(post, new Uint8Array(100), (f) => {
        f["Content-Type"] = "video/mp4";
      });
      assert.equal(relabelled.status, 403, `another type than the declared one: ${relabelled.text}`);
      assert.equal((await postForm(post, new Uint8Array(post.maxBytes + 1))).status >= 400, true, "the size limit holds for audio");
      const ok = await postForm(post, new Uint8Array(100));
      assert.equal(ok.status, 204, ok.text);
      assert.equal(await exists(post.key), true);
    }
    const multipart = await c.call("POST", "/uploads/multipart", { json: { filename: "long.flac", contentType: "audio/flac", size: 1000 } });
    assert.equal(multipart.status, 201, multipart.text);
  });

  it("the API refuses a type that is neither audio nor video, and unsafe file names, before anything reaches S3", async () => {
    const { c } = await presign();
    assertProblem(await c.call("POST", "/uploads/presigned-post", { json: { filename: "x.mp4", contentType: "text/plain" } }), 400, "body.contentType");
    assertProblem(await c.call("POST", "/uploads/presigned-post", { json: { filename: "x.png", contentType: "image/png" } }), 400, "body.contentType");
    assertProblem(await c.call("POST", "/uploads/presigned-post", { json: { filename: "../x.mp4", contentType: "video/mp4" } }), 400, "body.filename");
    assertProblem(await c.call("POST", "/uploads/presigned-post", { json: { filename: "a/b.mp4", contentType: "video/mp4" } }), 400, "body.filename");
  });

  it("multipart: create, presign parts, upload, complete; the object is in place", async () => {
    const c = h.client();
    const u = await c.signupAndLogin();
    const size = 6 * 1024; // below the suite's 64 KiB limit; one part (the last part may be small)
    const created = await c.call("POST", "/uploads/multipart", { json: { filename: "big.mp4", contentType: "video/mp4", size } });
    assert.equal(created.status, 201, created.text);
    const { key, uploadId, partCount } = created.body as { key: string; uploadId: string; partCount: number };
    assert.ok(key.startsWith(`uploads/${u.id}/`));
    assert.equal(partCount, 1);
    const parts = await c.call("POST", "/uploads/multipart/parts", { json: { key, uploadId, partNumbers: [1] } });
    assert.equal(parts.status, 200, parts.text);
    const url = (parts.body.parts as { url: string }[])[0]!.url;
    const put = await fetch(url, { method: "PUT", body: new Uint8Array(size).fill(1) });
    assert.equal(put.status, 200, await put.text());
    const etag = put.headers.get("etag")!;
    const done = await c.call("POST", "/uploads/multipart/complete", { json: { key, uploadId, parts: [{ partNumber: 1, etag }] } });
    assert.equal(done.status, 200, done.text);
    assert.equal(done.body.size, size);
    assert.equal(await exists(key), true);
    // Completing twice: the upload id is spent.
    assertProblem(await c.call("POST", "/uploads/multipart/complete", { json: { key, uploadId, parts: [{ partNumber: 1, etag }] } }), 404);
  });

  it("multipart over the size limit is refused up front; a part larger than planned is refused by S3 itself", async () => {
    const c = h.client();
    await c.signupAndLogin();
    const max = h.config.uploads.maxBytes;
    assertProblem(await c.call("POST", "/uploads/multipart", { json: { filename: "big.mp4", contentType: "video/mp4", size: max + 1 } }), 413, "body.size");
    // Declare a small size, then try to upload more: the part URL is signed for the planned length only.
    const created = await c.call("POST", "/uploads/multipart", { json: { filename: "liar.mp4", contentType: "video/mp4", size: 10 } });
    const { key, uploadId } = created.body as { key: string; uploadId: string };
    const parts = await c.call("POST", "/uploads/multipart/parts", { json: { key, uploadId, partNumbers: [1] } });
    const [part] = parts.body.parts as { url: string; size: number }[];
    assert.equal(part!.size, 10);
    for (const length of [max + 10, 11, 9]) {
      const put = await fetch(part!.url, { method: "PUT", body: new Uint8Array(length) });
      assert.equal(put.status, 403, `a ${length}-byte part: ${put.status} ${await put.text()}`);
    }
    // Completing with no part uploaded: S3 knows no such part.
    assertProblem(await c.call("POST", "/uploads/multipart/complete", { json: { key, uploadId, parts: [{ partNumber: 1, etag: '"0"' }] } }), 400, "body.parts");
    assert.equal(await exists(key), false);
    // Exactly the planned length goes through.
    const put = await fetch(part!.url, { method: "PUT", body: new Uint8Array(10).fill(7) });
    assert.equal(put.status, 200, await put.text());
    const done = await c.call("POST", "/uploads/multipart/complete", { json: { key, uploadId, parts: [{ partNumber: 1, etag: put.headers.get("etag")! }] } });
    assert.equal(done.status, 200, done.text);
    assert.equal(done.body.size, 10);
  });

  it("multipart: the plan is the server's: part numbers beyond it, an incomplete parts list and another upload's id are refused", async () => {
    const c = h.client();
    await c.signupAndLogin();
    const one = await c.call("POST", "/uploads/multipart", { json: { filename: "one.mp4", contentType: "video/mp4", size: 100 } });
    const { key, uploadId, partCount } = one.body as { key: string; uploadId: string; partCount: number };
    assert.equal(partCount, 1);
    assertProblem(await c.call("POST", "/uploads/multipart/parts", { json: { key, uploadId, partNumbers: [1, 2] } }), 400, "body.partNumbers");
    assertProblem(await c.call("POST", "/uploads/multipart/parts", { json: { key, uploadId, partNumbers: [10000] } }), 400, "body.partNumbers");
    assertProblem(await c.call("POST", "/uploads/multipart/complete", { json: { key, uploadId, parts: [{ partNumber: 2, etag: '"x"' }] } }), 400, "body.parts");
    const other = await c.call("POST", "/uploads/multipart", { json: { filename: "two.mp4", contentType: "video/mp4", size: 100 } });
    const second = other.body as { key: string; uploadId: string };
    // One upload's key with the other's id: the plan belongs to another key.
    assertProblem(await c.call("POST", "/uploads/multipart/parts", { json: { key, uploadId: second.uploadId, partNumbers: [1] } }), 404, "body.uploadId");
    assertProblem(await c.call("POST", "/uploads/multipart/parts", { json: { key, uploadId: "made-up", partNumbers: [1] } }), 404, "body.uploadId");
  });

  it("abandoned multipart uploads are aborted once past their lifetime, with their plans; younger ones are kept", async () => {
    const c = h.client();
    const u = await c.signupAndLogin();
    const start = (filename: string) => c.call("POST", "/uploads/multipart", { json: { filename, contentType: "video/mp4", size: 100 } });
    const old = (await start("old.mp4")).body as { key: string; uploadId: string };
    await new Promise((r) => setTimeout(r, 1100)); // S3 reports initiation times to the second
    const young = (await start("young.mp4")).body as { key: string; uploadId: string };
    const { storage, multipartPlans: plans } = h.api.deps;
    const prefix = `${h.config.uploads.prefix}${u.id}/`;
    const listed = async () => {
      const found = new Map<string, number>();
      for await (const x of storage.incompleteUploads(prefix)) found.set(x.uploadId, x.initiated.getTime());
      return found;
    };
    const initiated = await listed();
    assert.deepEqual([...initiated.keys()].sort(), [old.uploadId, young.uploadId].sort());
    assert.equal(await sweepIncompleteUploads(storage, plans, { prefix, maxAgeMs: 3_600_000 }, quiet), 0, "an hour's lifetime: both kept");
    // A lifetime just shorter than the old upload's age: it is past it, the younger one is not.
    const now = Date.now();
    const maxAgeMs = now - initiated.get(old.uploadId)! - 1;
    assert.equal(await sweepIncompleteUploads(storage, plans, { prefix, maxAgeMs, now: () => now }, quiet), 1);
    assert.deepEqual([...(await listed()).keys()], [young.uploadId]);
    assert.equal((await c.call("POST", "/uploads/multipart/parts", { json: { key: young.key, uploadId: young.uploadId, partNumbers: [1] } })).status, 200, "the younger plan is kept");
    assertProblem(await c.call("POST", "/uploads/multipart/parts", { json: { key: old.key, uploadId: old.uploadId, partNumbers: [1] } }), 404, "body.uploadId"); // its plan went with it
  });

  it("multipart abort discards the upload; wrong ETags are a 400; another user's key is a 404", async () => {
    const a = h.client();
    await a.signupAndLogin();
    const created = await a.call("POST", "/uploads/multipart", { json: { filename: "x.mp4", contentType: "video/mp4", size: 100 } });
    const { key, uploadId } = created.body as { key: string; uploadId: string };
    const parts = await a.call("POST", "/uploads/multipart/parts", { json: { key, uploadId, partNumbers: [1] } });
    await fetch((parts.body.parts as { url: string }[])[0]!.url, { method: "PUT", body: new Uint8Array(100) });
    assertProblem(await a.call("POST", "/uploads/multipart/complete", { json: { key, uploadId, parts: [{ partNumber: 1, etag: '"0000"' }] } }), 400, "body.parts");

    const b = h.client();
    await b.signupAndLogin();
    for (const path of ["/uploads/multipart/parts", "/uploads/multipart/complete", "/uploads/multipart/abort"]) {
      const json =
        path.endsWith("parts") ? { key, uploadId, partNumbers: [1] } : path.endsWith("complete") ? { key, uploadId, parts: [{ partNumber: 1, etag: '"x"' }] } : { key, uploadId };
      assertProblem(await b.call("POST", path, { json }), 404, "body.key");
    }

    const abort = await a.call("POST", "/uploads/multipart/abort", { json: { key, uploadId } });
    assert.equal(abort.status, 204, abort.text);
    const listed = await h.s3.send(new ListObjectsV2Command({ Bucket: h.config.s3.uploadsBucket, Prefix: key }));
    assert.equal(listed.KeyCount ?? 0, 0);
    // The plan went with the upload: no more part URLs for it.
    assertProblem(await a.call("POST", "/uploads/multipart/parts", { json: { key, uploadId, partNumbers: [1] } }), 404, "body.uploadId");
  });
});
