/**
 * The containers users upload, by the name of the libavformat demuxer that reads them (the name ffmpeg 5.1
 * prints as "Format <name> probed", and the value of -f / -format_whitelist). None of these demuxers opens
 * another file or URL on its own: the mov demuxer can follow external data references, but only with
 * enable_drefs=1, which we pin to 0. Everything else - playlists and other indirections (hls, dash, concat,
 * image2 and the image pipes, tty, ffmetadata, subtitles, lavfi) - is refused as bad input before any demuxer
 * reads the file's header, which is where a playlist would open what it names.
 */
const ACCEPTED: Readonly<Record<string, string>> = {
  "mov,mp4,m4a,3gp,3g2,mj2": "MP4/MOV/M4A/3GP",
  "matroska,webm": "Matroska/WebM",
  avi: "AVI",
  mpegts: "MPEG-TS",
  mpeg: "MPEG-PS",
  flv: "FLV",
  asf: "ASF/WMV/WMA",
  mxf: "MXF",
  ogg: "Ogg (Theora, Vorbis, Opus)",
  mp3: "MP3",
  aac: "AAC (ADTS)",
  flac: "FLAC",
  wav: "WAV",
};

/** How a refused input is named to its owner; any other demuxer is named as ffmpeg names it. */
const REFUSED_LABELS: Readonly<Record<string, string>> = {
  hls: "an HLS playlist",
  dash: "a DASH manifest",
  webm_dash_manifest: "a WebM DASH manifest",
  concat: "an ffmpeg concat script",
  ffmetadata: "an ffmpeg metadata file",
  tty: "a text file",
  image2: "an image sequence",
};

export interface Container {
  /** The demuxer's full name, e.g. "mov,mp4,m4a,3gp,3g2,mj2". */
  name: string;
  /** Its first name, what -f and -format_whitelist take ("mov"). */
  demuxer: string;
  label: string;
}

/** The accepted container ffmpeg detected, or undefined when it is not one users may upload. */
export function acceptedContainer(probedName: string): Container | undefined {
  const label = ACCEPTED[probedName];
  return label === undefined ? undefined : { name: probedName, demuxer: probedName.split(",")[0]!, label };
}

/** True for a demuxer short name of an accepted container (what a hardened command line may force with -f). */
export function isAcceptedDemuxer(demuxer: string): boolean {
  return Object.keys(ACCEPTED).some((name) => name.split(",")[0] === demuxer);
}

export function refusedLabel(probedName: string): string {
  if (REFUSED_LABELS[probedName] !== undefined) return REFUSED_LABELS[probedName];
  if (probedName.endsWith("_pipe")) return `an image (${probedName.slice(0, -5)})`;
  return `a "${probedName}" file`;
}

/** Every accepted container's label, for messages. */
export const ACCEPTED_LABELS: readonly string[] = Object.values(ACCEPTED);
