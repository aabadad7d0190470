export { buildFfmpegArgs, type FfmpegCommandOptions } from "./args.js";
export { ProgressParser, encodePercent, type ProgressBlock } from "./progress.js";
export {
  runFfmpeg,
  classifyFfmpegFailure,
  DURATION_READ_MARGIN_SECONDS,
  type RunFfmpegOptions,
} from "./run.js";
export {
  filesFor,
  MASTER_PLAYLIST,
  POSTER,
  SPRITE,
  MANIFEST,
  INIT_SEGMENT,
  type RenditionFiles,
} from "./layout.js";
