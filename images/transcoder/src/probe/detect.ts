import { BadInputError } from "../errors.js";
import { acceptedContainer, ACCEPTED_LABELS, inputArgs, refusedLabel, runTool, type Container } from "../media/index.js";
import { throwIfStopped } from "./stopped.js";

export interface DetectOptions {
  ffprobe: string;
  maxPixels: number;
  timeoutSeconds: number;
  signal?: AbortSignal | undefined;
}

// libavformat logs this at debug level once probing has chosen a demuxer (libavformat/format.c); with
// -format_whitelist none the chosen demuxer is then refused ("Format not on whitelist"), so nothing reads the
// file's header: an HLS playlist or concat script is named here without opening anything it names.
const PROBED = /Format (\S+) probed with size=\d+ and score=\d+/g;

/** Names the file's container from its bytes alone; throws BadInputError unless it is one users may upload. */
export async function detectContainer(file: string, opts: DetectOptions): Promise<Container> {
  const run = await runTool(
    opts.ffprobe,
    ["-hide_banner", "-v", "debug", ...inputArgs({ file, demuxer: "detect", maxPixels: opts.maxPixels })],
    { timeoutMs: opts.timeoutSeconds * 1000, signal: opts.signal },
  );
  throwIfStopped(run, opts.timeoutSeconds);
  const probed = [...run.stderr.matchAll(PROBED)].at(-1)?.[1];
  if (probed === undefined)
    throw new BadInputError("NotMedia", "The file could not be read as audio or video: it is in no container ffmpeg recognises.");
  const container = acceptedContainer(probed);
  if (container === undefined)
    throw new BadInputError(
      "UnsupportedFormat",
      `The file is ${refusedLabel(probed)}, not an uploaded audio or video file; accepted containers: ${ACCEPTED_LABELS.join(", ")}.`,
    );
  return container;
}
