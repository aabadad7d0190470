export type { Plan, Rendition, VideoRendition, AudioRendition, AudioEncode, StillImage, SpriteSheet } from "./types.js";
export { planRenditions, sizeForShortSide } from "./plan.js";
export { videoCapKbps, audioKbpsForRung, defaultCrf } from "./bitrates.js";
export { transcodeWork } from "./work.js";
