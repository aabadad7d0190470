/** Content-Type and Cache-Control per output file. Media and images never change under their key; playlists
 * and the manifest may be rewritten by a retried attempt, so caches revalidate them after a minute. Always
 * private: the outputs are one tenant's, reached through presigned URLs, and no shared cache may keep them. */
const TYPES: [RegExp, string, boolean][] = [
  [/\.m3u8$/, "application/vnd.apple.mpegurl", false],
  [/\.m4s$/, "video/iso.segment", true],
  [/\.mp4$/, "video/mp4", true],
  [/\.m4a$/, "audio/mp4", true],
  [/\.jpe?g$/, "image/jpeg", true],
  [/\.json$/, "application/json", false],
];

export function contentHeaders(key: string): { contentType: string; cacheControl: string } {
  const hit = TYPES.find(([re]) => re.test(key));
  const contentType = hit?.[1] ?? "application/octet-stream";
  const immutable = hit?.[2] ?? false;
  return {
    contentType,
    cacheControl: immutable ? "private, max-age=31536000, immutable" : "private, max-age=60",
  };
}
