import assert from "node:assert/strict";
import { bucketFromObjectUrl, parseLegacyItem } from "../../lib/uploads/index.js";

describe("bridge: legacy list items", () => {
  const urls: [url: string, bucket: string | undefined][] = [
    ["https://videos.s3.amazonaws.com/a.mp4", "videos"],
    ["https://videos.s3.us-west-2.amazonaws.com/a.mp4", "videos"],
    ["https://videos.s3-eu-west-1.amazonaws.com/a.mp4", "videos"],
    ["http://127.0.0.1:9000/videos/a.mp4", "videos"],
    ["not a url", undefined],
  ];
  for (const [url, bucket] of urls) {
    it(`bucket of ${url} -> ${String(bucket)}`, () => assert.equal(bucketFromObjectUrl(url), bucket));
  }

  it("decodes the URL-encoded key the original lambda pushed and gives old keys the legacy owner", () => {
    const r = parseLegacyItem(JSON.stringify({ key: "bob%40example.com/my+clip.mp4", objectUrl: "https://videos.s3.amazonaws.com/bob%40example.com/my+clip.mp4" }), { owner: "legacy" });
    assert.ok(r.ok);
    if (!r.ok) return;
    assert.equal(r.entry.bucket, "videos");
    assert.equal(r.entry.key, "bob@example.com/my clip.mp4");
    assert.equal(r.entry.ownerId, "legacy");
    assert.equal(r.entry.idempotencyKey, "videos/bob@example.com/my clip.mp4@legacy");
  });

  it("keeps the owner of keys already in the uploads layout", () => {
    const r = parseLegacyItem(JSON.stringify({ key: "uploads/carol/u9/x.mov" }), { owner: "legacy", bucket: "up" });
    assert.ok(r.ok && r.entry.ownerId === "carol" && r.entry.bucket === "up");
  });

  const bad: [what: string, raw: string][] = [
    ["not JSON", "VideoJobs item"],
    ["no key", JSON.stringify({ objectUrl: "https://b.s3.amazonaws.com/x.mp4" })],
    ["no bucket anywhere", JSON.stringify({ key: "x.mp4" })],
    ["not a video", JSON.stringify({ key: "x.txt", objectUrl: "https://b.s3.amazonaws.com/x.txt" })],
    ["a broken escape", JSON.stringify({ key: "100%.mp4", objectUrl: "https://b.s3.amazonaws.com/x" })],
  ];
  for (const [what, raw] of bad) {
    it(`rejects ${what} with a message`, () => {
      const r = parseLegacyItem(raw, { owner: "legacy" });
      assert.equal(r.ok, false);
      if (!r.ok) assert.ok(r.error.length > 5);
    });
  }
});
