import assert from "node:assert/strict";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { resolveKey, rewriteUris } from "../../api/playback/playlist.js";
import { PlaybackTokens } from "../../api/playback/token.js";
import { GetPresigner } from "../../api/uploads/presign-get.js";

const MASTER = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-STREAM-INF:BANDWIDTH=800000,AVERAGE-BANDWIDTH=700000,RESOLUTION=640x360,CODECS="avc1.64001e,mp4a.40.2"
360p/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=2800000,AVERAGE-BANDWIDTH=2500000,RESOLUTION=1280x720,CODECS="avc1.64001f,mp4a.40.2"
720p/index.m3u8
`;

const MEDIA = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-TARGETDURATION:4
#EXT-X-MEDIA-SEQUENCE:0
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-MAP:URI="init.mp4"
#EXTINF:4.000000,
seg_00000.m4s
#EXTINF:1.200000,
seg_00001.m4s
#EXT-X-ENDLIST
`;

describe("api: playback, pure parts", () => {
  describe("rewriteUris", () => {
    it("rewrites the variant lines of a master and nothing else", () => {
      const out = rewriteUris(MASTER, (u) => `X/${u}`);
      assert.deepEqual(
        out.split("\n").filter((l) => l && !l.startsWith("#")),
        ["X/360p/index.m3u8", "X/720p/index.m3u8"],
      );
      assert.equal(out.replace(/X\//g, ""), MASTER, "tags, attributes and blank lines are untouched");
    });
    it("rewrites segments and the init segment's URI attribute of a media playlist", () => {
      const seen: string[] = [];
      const out = rewriteUris(MEDIA, (u) => (seen.push(u), `https://s3/${u}?sig=1&x=2`));
      assert.deepEqual(seen, ["init.mp4", "seg_00000.m4s", "seg_00001.m4s"]);
      assert.match(out, /^#EXT-X-MAP:URI="https:\/\/s3\/init\.mp4\?sig=1&x=2"$/m);
      assert.match(out, /^https:\/\/s3\/seg_00001\.m4s\?sig=1&x=2$/m);
      assert.match(out, /^#EXTINF:1\.200000,$/m);
    });
    it("CRLF playlists and comments", () => {
      const out = rewriteUris("#EXTM3U\r\n# a comment URI=\"x\"\r\n#EXTINF:2,\r\na.m4s\r\n", (u) => `/${u}`);
      assert.equal(out, '#EXTM3U\n# a comment URI="x"\n#EXTINF:2,\n/a.m4s\n');
    });
  });

  describe("resolveKey: only the job's own outputs are ever signed", () => {
    const prefix = "outputs/alice/clip-0123/";
    const table: [uri: string, key: string | undefined][] = [
      ["seg_00001.m4s", "outputs/alice/clip-0123/720p/seg_00001.m4s"],
      ["init.mp4", "outputs/alice/clip-0123/720p/init.mp4"],
      ["../master.m3u8", "outputs/alice/clip-0123/master.m3u8"],
      ["../../clip-0124/720p/seg_00001.m4s", undefined],
      ["../../../bob/x/seg.m4s", undefined],
      ["/outputs/alice/clip-0123/720p/a.m4s", undefined],
      ["https://evil.example/seg.m4s", undefined],
      ["seg.m4s?x=1", undefined],
      ["seg%2e.m4s", undefined],
      ["", undefined],
    ];
    for (const [uri, key] of table) it(`${JSON.stringify(uri)} -> ${key ?? "refused"}`, () => assert.equal(resolveKey(`${prefix}720p/index.m3u8`, uri, prefix), key));
  });

  describe("PlaybackTokens", () => {
    let now = Date.parse("2026-12-01T10:00:00Z");
    const tokens = new PlaybackTokens(["k".repeat(32)], "ns", 600, () => now);
    it("a token plays its job until it expires, and no other job", () => {
      const { token, expiresAt } = tokens.issue("clip-1");
      assert.equal(expiresAt.toISOString(), "2026-12-01T10:10:00.000Z");
      assert.match(token, /^[0-9a-z]+\.[A-Za-z0-9_-]{22}$/);
      assert.deepEqual(tokens.verify("clip-1", token), { ok: true, grant: { job: "clip-1", expiresAt } });
      assert.deepEqual(tokens.verify("clip-2", token), { ok: false, reason: "invalid" });
      now += 600_000;
      assert.deepEqual(tokens.verify("clip-1", token), { ok: false, reason: "expired", expiresAt });
      now -= 600_000;
    });
    it("a changed expiry, a changed signature, another namespace's or another key's token is invalid", () => {
      const { token } = tokens.issue("clip-1");
      const [exp, mac] = token.split(".") as [string, string];
      const later = (Number.parseInt(exp, 36) + 3600).toString(36);
      assert.equal(tokens.verify("clip-1", `${later}.${mac}`).ok, false);
      assert.equal(tokens.verify("clip-1", `${exp}.${mac.slice(0, -1)}${mac.endsWith("A") ? "B" : "A"}`).ok, false);
      assert.equal(new PlaybackTokens(["k".repeat(32)], "other", 600, () => now).verify("clip-1", token).ok, false);
      assert.equal(new PlaybackTokens(["x".repeat(32)], "ns", 600, () => now).verify("clip-1", token).ok, false);
      for (const junk of ["", "x", "1.2", `${exp}.${mac}.x`, `${exp}.${mac}=`]) assert.equal(tokens.verify("clip-1", junk).ok, false, junk);
    });
    it("a key rotation (new key first) keeps links signed with the old key working", () => {
      const { token } = tokens.issue("clip-1");
      assert.equal(new PlaybackTokens(["n".repeat(32), "k".repeat(32)], "ns", 600, () => now).verify("clip-1", token).ok, true);
    });
  });

  describe("GetPresigner: the same URLs as the AWS SDK's getSignedUrl, signed once per batch", () => {
    const at = new Date("2026-12-01T10:00:00Z");
    const keys = ["outputs/alice/clip-0123/720p/seg_00001.m4s", "outputs/alice/clip-0123/a b/ç(1)!*'.mp4", "k"];
    const clients = {
      "MinIO, path style, session token": new S3Client({
        region: "us-east-1",
        endpoint: "http://127.0.0.1:9000",
        forcePathStyle: true,
        credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG", sessionToken: "tok/en+x=" },
        requestChecksumCalculation: "WHEN_REQUIRED",
        responseChecksumValidation: "WHEN_REQUIRED",
      }),
      "AWS, virtual-hosted": new S3Client({
        region: "eu-west-1",
        credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG" },
        requestChecksumCalculation: "WHEN_REQUIRED",
        responseChecksumValidation: "WHEN_REQUIRED",
      }),
    };
    for (const [name, s3] of Object.entries(clients)) {
      it(name, async () => {
        const sign = await new GetPresigner(s3, () => at).signer("outputs", 3600);
        for (const key of keys) {
          const sdk = await getSignedUrl(s3, new GetObjectCommand({ Bucket: "outputs", Key: key }), { expiresIn: 3600, signingDate: at });
          assert.equal(sign(key), sdk, key);
        }
      });
    }
  });
});
