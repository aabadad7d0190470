export type { SourceInfo, VideoInfo, AudioInfo } from "./source-info.js";
export { parseProbe, parseRational } from "./parse.js";
export { looksLikeText } from "./sniff.js";
export { probeFile, type ProbeOptions } from "./run.js";
