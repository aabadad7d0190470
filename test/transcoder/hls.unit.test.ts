import assert from "node:assert/strict";
import { codecsFromInit, parseMediaPlaylist, segmentRates, writeMasterPlaylist } from "../../images/transcoder/src/hls/index.js";
import { contentHeaders } from "../../images/transcoder/src/storage/index.js";

describe("HLS playlists", () => {
  const media = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-TARGETDURATION:4
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-MAP:URI="init.mp4"
#EXTINF:4.000000,
seg_00000.m4s
#EXTINF:4.000000,
seg_00001.m4s
#EXTINF:1.500000,
seg_00002.m4s
#EXT-X-ENDLIST
`;
  it("parses segments, durations and the init section", () => {
    const pl = parseMediaPlaylist(media);
    assert.equal(pl.targetDuration, 4);
    assert.equal(pl.map, "init.mp4");
    assert.deepEqual(pl.segments.map((s) => [s.uri, s.duration]), [["seg_00000.m4s", 4], ["seg_00001.m4s", 4], ["seg_00002.m4s", 1.5]]);
  });
  it("rejects a non-playlist", () => assert.throws(() => parseMediaPlaylist("hello"), /not an M3U8/));
  it("measures peak and average rates from segment sizes", () => {
    const r = segmentRates([{ duration: 4, sizeBytes: 500_000 }, { duration: 4, sizeBytes: 1_000_000 }, { duration: 2, sizeBytes: 100_000 }]);
    assert.equal(r.peakBps, 2_000_000);
    assert.equal(r.averageBps, 1_280_000);
    assert.equal(r.totalBytes, 1_600_000);
    assert.equal(r.durationSeconds, 10);
  });
  // RFC 8216 4.3.4.2: the peak is over contiguous runs lasting 0.5 to 1.5 target durations, never one short segment.
  const peaks: [string, [number, number][], number | undefined, number][] = [
    ["equal segments", [[2, 100_000], [2, 150_000], [2, 120_000]], 2, 600_000],
    ["a short final keyframe-heavy segment is measured with its neighbour", [[2, 100_000], [2, 100_000], [0.2, 30_000]], 2, 472_728],
    ["a final segment of half the target counts alone", [[2, 100_000], [1, 80_000]], 2, 640_000],
    ["target defaults to the longest segment rounded up", [[1.9, 95_000], [1.9, 95_000], [0.1, 20_000]], undefined, 460_000],
    ["a playlist shorter than half its target: the whole rate", [[0.4, 10_000]], 1, 200_000],
  ];
  for (const [name, segs, target, peak] of peaks)
    it(`peak rate: ${name}`, () => {
      const r = segmentRates(segs.map(([duration, sizeBytes]) => ({ duration, sizeBytes })), target);
      assert.equal(r.peakBps, peak);
    });
  it("writes the master playlist in ascending bandwidth with every attribute", () => {
    const text = writeMasterPlaylist([
      { uri: "720p/index.m3u8", bandwidth: 3_000_000, averageBandwidth: 2_000_000, codecs: "avc1.64001f,mp4a.40.2", resolution: { width: 1280, height: 720 }, frameRate: 30 },
      { uri: "360p/index.m3u8", bandwidth: 900_000, averageBandwidth: 600_000, codecs: "avc1.64001e,mp4a.40.2", resolution: { width: 640, height: 360 }, frameRate: 29.97 },
    ]);
    assert.equal(
      text,
      `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-STREAM-INF:BANDWIDTH=900000,AVERAGE-BANDWIDTH=600000,RESOLUTION=640x360,CODECS="avc1.64001e,mp4a.40.2",FRAME-RATE=29.970
360p/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=3000000,AVERAGE-BANDWIDTH=2000000,RESOLUTION=1280x720,CODECS="avc1.64001f,mp4a.40.2",FRAME-RATE=30.000
720p/index.m3u8
`,
    );
  });
  it("audio-only variants carry no RESOLUTION or FRAME-RATE", () => {
    const text = writeMasterPlaylist([{ uri: "a/index.m3u8", bandwidth: 70_000, averageBandwidth: 66_000, codecs: "mp4a.40.2" }]);
    assert.match(text, /BANDWIDTH=70000,AVERAGE-BANDWIDTH=66000,CODECS="mp4a.40.2"\n/);
  });
});

describe("codecsFromInit", () => {
  it("reads avcC profile/constraints/level and the AAC object type", () => {
    const avcC = Buffer.concat([Buffer.from([0, 0, 0, 20]), Buffer.from("avcC"), Buffer.from([1, 0x64, 0x00, 0x1f, 0xff])]);
    // esds: header, ES_Descriptor ... DecoderSpecificInfo tag 0x05, length 2, AudioSpecificConfig 0x11 0x90 (AOT 2)
    const esds = Buffer.concat([Buffer.from([0, 0, 0, 30]), Buffer.from("esds"), Buffer.from([0, 0, 0, 0, 3, 20, 0, 1, 0, 4, 12, 0x40, 0x15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 2, 0x11, 0x90])]);
    assert.deepEqual(codecsFromInit(Buffer.concat([avcC, esds])), ["avc1.64001f", "mp4a.40.2"]);
    assert.deepEqual(codecsFromInit(Buffer.from("nothing here")), []);
  });
});

describe("contentHeaders", () => {
  const rows: [string, string, RegExp][] = [
    ["p/master.m3u8", "application/vnd.apple.mpegurl", /max-age=60/],
    ["p/720p/seg_00001.m4s", "video/iso.segment", /immutable/],
    ["p/720p/init.mp4", "video/mp4", /immutable/],
    ["p/720p.mp4", "video/mp4", /immutable/],
    ["p/audio-64k.m4a", "audio/mp4", /immutable/],
    ["p/poster.jpg", "image/jpeg", /immutable/],
    ["p/manifest.json", "application/json", /max-age=60/],
    ["p/x.bin", "application/octet-stream", /max-age=60/],
  ];
  for (const [key, type, cache] of rows)
    it(key, () => {
      const h = contentHeaders(key);
      assert.equal(h.contentType, type);
      assert.match(h.cacheControl, cache);
      assert.match(h.cacheControl, /^private,/, "one tenant's outputs: never in a shared cache");
    });
});
