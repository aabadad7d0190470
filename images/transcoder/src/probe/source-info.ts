/** What the planner needs to know about a source, in display orientation (rotation and pixel aspect applied). */
export interface VideoInfo {
  /** Absolute stream index in the source, for -map 0:N. */
  index: number;
  codec: string;
  /** Coded size. */
  width: number;
  height: number;
  /** Size as shown: rotation (90/270 swaps) and sample aspect ratio applied. */
  displayWidth: number;
  displayHeight: number;
  /** Frames per second (average); undefined when the container does not say. */
  fps: number | undefined;
}

export interface AudioInfo {
  index: number;
  codec: string;
  channels: number;
  sampleRate: number;
  bitRate: number | undefined;
}

export interface SourceInfo {
  formatName: string;
  durationSeconds: number;
  sizeBytes: number | undefined;
  video: VideoInfo | undefined;
  audio: AudioInfo | undefined;
}
