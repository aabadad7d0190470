import { posix } from "node:path";

/**
 * HLS playlists (RFC 8216) as the API serves them, pure. Every URI is rewritten: the lines that are not tags
 * (variant playlists in a master, segments in a media playlist) and the URI="..." attributes of tags (EXT-X-MAP's
 * init segment, EXT-X-MEDIA and EXT-X-I-FRAME-STREAM-INF playlists, EXT-X-KEY). Comments and blank lines pass.
 */
export function rewriteUris(text: string, rewrite: (uri: string) => string): string {
  return text
    .split(/\r?\n/)
    .map((line) => {
      const t = line.trim();
      if (t === "") return line;
      if (t.startsWith("#")) return t.startsWith("#EXT") ? t.replace(/URI="([^"]*)"/g, (_m, uri: string) => `URI="${rewrite(uri)}"`) : line;
      return rewrite(t);
    })
    .join("\n");
}

/** A URI the transcoder writes: relative, a plain path (no scheme, query, fragment or escapes). */
const RELATIVE_PATH = /^(?!\/)[A-Za-z0-9._~/-]+$/;

/**
 * The S3 key a playlist's relative URI names, or undefined when it is not a relative path or leaves `prefix` (the
 * job's output prefix): nothing outside the job's own outputs is ever signed.
 */
export function resolveKey(playlistKey: string, uri: string, prefix: string): string | undefined {
  if (!RELATIVE_PATH.test(uri)) return undefined;
  const key = posix.normalize(playlistKey.slice(0, playlistKey.lastIndexOf("/") + 1) + uri);
  return key.startsWith(prefix) && !key.split("/").includes("..") ? key : undefined;
}
