import { isAbsolute, resolve } from "node:path";
import { isAcceptedDemuxer } from "./containers.js";

/** The one input of an ffmpeg or ffprobe run, as every command line in the task must give it. */
export interface MediaInput {
  file: string;
  /**
   * The demuxer to force (-f), which must be an accepted container's; "detect" only names the format: every
   * demuxer is refused after probing and before it reads the header (-format_whitelist none).
   */
  demuxer: string;
  /** Decoders refuse frames above this many pixels (-max_pixels). */
  maxPixels: number;
  /** Read at most this many seconds of the input (-t as an input option). */
  readSeconds?: number | undefined;
}

const DETECT = "none";

/**
 * The input options, in this order, ending with "-i file:<absolute path>":
 * - -protocol_whitelist file: the input and anything a demuxer opens for it may only be a local file. ffmpeg's
 *   default for a local input is "file,crypto,data" (an HLS playlist could decrypt a local file with crypto:).
 * - -format_whitelist X -f X: only the probed, accepted demuxer runs (ffmpeg checks the list right after probing,
 *   before the header is read). -protocol_whitelist alone does not stop a playlist from naming a local file.
 * - -enable_drefs 0 for mov: its default, pinned, so an MP4 never follows an external data reference.
 * - "file:" + an absolute path, so no path is ever taken for a protocol ("concat:a|b", "subfile,,...:x").
 */
export function inputArgs(input: MediaInput): string[] {
  const forced = input.demuxer !== "detect";
  if (forced && !isAcceptedDemuxer(input.demuxer)) throw new Error(`refusing to open an input as "${input.demuxer}"`);
  const whitelist = forced ? input.demuxer : DETECT;
  return [
    "-protocol_whitelist", "file",
    "-format_whitelist", whitelist,
    ...(forced ? ["-f", input.demuxer] : []),
    ...(input.demuxer === "mov" ? ["-enable_drefs", "0"] : []),
    "-max_pixels", String(Math.floor(input.maxPixels)),
    ...(input.readSeconds !== undefined ? ["-t", String(input.readSeconds)] : []),
    "-i", `file:${resolve(input.file)}`,
  ];
}

/**
 * Checks that a command line opens exactly one input, the hardened way inputArgs writes it; returns a reason
 * when it does not. The spawn refuses any other command line, so no caller can forget an option.
 */
export function unhardenedReason(args: readonly string[]): string | undefined {
  const inputs = args.flatMap((a, i) => (a === "-i" ? [i] : []));
  if (inputs.length !== 1) return `expected exactly one -i, found ${inputs.length}`;
  const at = inputs[0]!;
  const url = args[at + 1] ?? "";
  if (!url.startsWith("file:") || !isAbsolute(url.slice(5))) return "the input is not file:<absolute path>";
  const before = args.slice(0, at);
  const value = (opt: string): string | undefined => {
    const i = before.lastIndexOf(opt);
    return i < 0 ? undefined : before[i + 1];
  };
  if (value("-protocol_whitelist") !== "file") return "the input lacks -protocol_whitelist file";
  const whitelist = value("-format_whitelist");
  const forced = value("-f");
  if (whitelist === DETECT) {
    if (forced !== undefined) return "a detection run forces a format";
  } else if (whitelist === undefined || forced !== whitelist || !isAcceptedDemuxer(whitelist)) {
    return "the input's format is not forced to one accepted container (-format_whitelist X -f X)";
  }
  if (whitelist === "mov" && value("-enable_drefs") !== "0") return "an MP4 input lacks -enable_drefs 0";
  if (value("-max_pixels") === undefined) return "the input lacks -max_pixels";
  return undefined;
}
