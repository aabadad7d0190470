/**
 * Video bitrate caps per rung (kbps at up to 30 fps), by short side. The cap is the VBV maxrate of a capped-CRF
 * encode, so it is the worst case a player must budget for; CRF keeps easy content far below it. Values follow
 * the common streaming ladders (Apple's HLS authoring spec, scaled for x264 rather than HEVC).
 * On the bench's noisy 1080p clip the 1080p cap binds (the original's uncapped medium encode averages 7.4 Mbps
 * there); measured with the default x264 preset (faster, CRF 22) the 1080p rung's SSIM vs the original's moves
 * with the cap: 5500k -0.0001, 6000k +0.0005, 6500k +0.0011, 7800k +0.0025 (veryfast: 5500k -0.0077,
 * 7800k -0.0035, uncapped -0.0008 at 9.6 Mbps). 5500k meets the target (at most 0.002 below) with smaller files.
 */
const CAPS: readonly (readonly [shortSide: number, kbps: number])[] = [
  [144, 250],
  [240, 450],
  [360, 900],
  [480, 1500],
  [720, 3000],
  [1080, 5500],
  [1440, 10000],
  [2160, 18000],
];

/** Cap for a rung of `width`x`height`, interpolated on pixel count between table rows; 1.5x above 30 fps. */
export function videoCapKbps(width: number, height: number, fps: number): number {
  const pixels = width * height;
  const rows = CAPS.map(([s, kbps]) => [s * s * (16 / 9), kbps] as const);
  let kbps: number;
  const first = rows[0]!;
  const last = rows[rows.length - 1]!;
  if (pixels <= first[0]) kbps = first[1] * Math.max(0.4, pixels / first[0]);
  else if (pixels >= last[0]) kbps = last[1] * (pixels / last[0]);
  else {
    const i = rows.findIndex(([p]) => p >= pixels);
    const [p1, k1] = rows[i - 1]!;
    const [p2, k2] = rows[i]!;
    kbps = k1 + ((k2 - k1) * (pixels - p1)) / (p2 - p1);
  }
  if (fps > 31) kbps *= 1.5;
  return Math.round(kbps / 10) * 10;
}

/** AAC-LC bitrate by short side: small rungs are watched on small speakers over thin links. */
export function audioKbpsForRung(shortSide: number): number {
  if (shortSide <= 240) return 64;
  if (shortSide <= 480) return 96;
  return 128;
}

/**
 * Default CRF for a rung, by x264 preset. CRF 23 is libx264's default (the original service's setting); the fast
 * presets lose a little quality at equal CRF, so they get one step more. Measured here on a 720p clip with
 * temporal noise (bench/transcode): medium/23 SSIM 0.8917; veryfast/23 0.8865; veryfast/22 0.8906 at 0.6x the CPU.
 * On the 20 s 1080p bench clip, faster (the default preset) vs the original's medium/23: 720p faster/22 +0.0011,
 * faster/23 +0.0004; 360p faster/22 +0.0006, faster/23 -0.0002. 22 keeps a margin on every rung.
 */
export function defaultCrf(x264Preset: string): number {
  return ["ultrafast", "superfast", "veryfast", "faster"].includes(x264Preset) ? 22 : 23;
}
