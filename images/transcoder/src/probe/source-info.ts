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
  /** Frames per second for planning (average, up to 240); undefined when unknown or absurd. */
  fps: number | undefined;
  /** The measured average frame rate as ffprobe reports it, however high (checked against maxFrameRate). */
  frameRate: number | undefined;
}

export interface AudioInfo {
  index: number;
  codec: string;
  channels: number;
  sampleRate: number;
  bitRate: number | undefined;
}

export interface SourceInfo {
  /** The demuxer that read it, as ffprobe names it ("mov,mp4,m4a,3gp,3g2,mj2"); its first name is what -f takes. */
  formatName: string;
  durationSeconds: number;
  sizeBytes: number | undefined;
  video: VideoInfo | undefined;
  audio: AudioInfo | undefined;
}
