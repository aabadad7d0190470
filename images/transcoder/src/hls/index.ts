export {
  parseMediaPlaylist,
  segmentRates,
  writeMasterPlaylist,
  type MediaPlaylist,
  type SegmentRates,
  type VariantEntry,
} from "./playlist.js";
export { codecsFromInit } from "./codecs.js";
