export type { SourceInfo, VideoInfo, AudioInfo } from "./source-info.js";
export { parseProbe, parseRational } from "./parse.js";
export { probeFile, type ProbeOptions } from "./run.js";
export { detectContainer, type DetectOptions } from "./detect.js";
