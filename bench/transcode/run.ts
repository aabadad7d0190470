/**
 * bench:transcode — the original service's approach against ours on the same generated clips, same machine,
 * interleaved repetitions. Prints wall and CPU seconds, sizes, SSIM per rung and the ratios the issue targets.
 *   npx tsx bench/transcode/run.ts [--seconds 20] [--reps 2] [--small-seconds 20]
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { probeFile } from "../../images/transcoder/src/probe/index.js";
import { decodeOnlyCommand, equalSettingsCommand, originalCommands, ORIGINAL_RUNGS, oursCommand, oursPlan } from "./approaches.js";
import { median, timed, type Timing } from "./measure.js";

const run = promisify(execFile);
const ffmpeg = process.env.FFMPEG ?? "ffmpeg";
const ffprobe = process.env.FFPROBE ?? "ffprobe";

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

async function makeSource(file: string, w: number, h: number, seconds: number): Promise<void> {
  // testsrc2 with light temporal noise: moving detail so the encoder has real work, like camera footage.
  await run(ffmpeg, [
    "-hide_banner", "-loglevel", "error", "-y",
    "-f", "lavfi", "-i", `testsrc2=size=${w}x${h}:rate=25:duration=${seconds},noise=alls=6:allf=t`,
    "-f", "lavfi", "-i", `sine=frequency=440:sample_rate=48000:duration=${seconds}`,
    "-c:v", "libx264", "-preset", "veryfast", "-crf", "14", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "160k", file,
  ]);
}

/** SSIM (All) of `out` against the source scaled to the output's size, timestamps aligned. */
async function ssim(out: string, src: string): Promise<number> {
  const { stdout } = await run(ffprobe, ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0", out]);
  const [w, h] = stdout.trim().split(",");
  const { stderr } = await run(ffmpeg, [
    "-hide_banner", "-nostdin", "-i", out, "-i", src,
    "-lavfi", `[0:v]setpts=PTS-STARTPTS[a];[1:v]scale=${w}:${h}:flags=bicubic,setpts=PTS-STARTPTS[b];[a][b]ssim`,
    "-f", "null", "-",
  ], { maxBuffer: 64 * 1024 * 1024 });
  const m = /SSIM .* All:([\d.]+)/.exec(stderr);
  return m ? Number(m[1]) : Number.NaN;
}

const sizeOf = (dir: string, f: (n: string) => boolean): number =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && f(e.name))
    .reduce((n, e) => n + statSync(join(e.parentPath, e.name)).size, 0);

interface Row {
  name: string;
  wall: number[];
  cpu: number[];
}

async function benchSource(label: string, w: number, h: number, seconds: number, reps: number): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), "bench-transcode-"));
  try {
    const src = join(root, "src.mp4");
    await makeSource(src, w, h, seconds);
    const info = await probeFile(src, { ffprobe });
    const plan = oursPlan(info);
    const variants: [string, string[][], string][] = [
      ["original (3 runs, medium, upscale, fMP4)", originalCommands(ffmpeg, src), "orig"],
      ["ours, equal settings (1 decode, split)", equalSettingsCommand(ffmpeg, src), "eq"],
      ["ours, default preset (HLS+MP4+poster+sprite)", oursCommand(ffmpeg, src, plan), "ours"],
      ["one decode only", decodeOnlyCommand(ffmpeg, src), "dec"],
    ];
    const rows: Row[] = variants.map(([name]) => ({ name, wall: [], cpu: [] }));
    for (let rep = 0; rep < reps; rep++) {
      // Interleave, rotating the order each repetition so drift in machine load hits every variant alike.
      for (let k = 0; k < variants.length; k++) {
        const i = (k + rep) % variants.length;
        const [, cmds, dirName] = variants[i]!;
        const dir = join(root, dirName);
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(dir);
        for (const r of plan.renditions) mkdirSync(join(dir, r.name), { recursive: true });
        const t: Timing = await timed(cmds, dir);
        rows[i]!.wall.push(t.wall);
        rows[i]!.cpu.push(t.cpu);
        console.error(`  [${label}] rep ${rep + 1} ${variants[i]![0]}: ${t.wall.toFixed(1)} s wall, ${t.cpu.toFixed(1)} s CPU`);
      }
    }
    const med = rows.map((r) => ({ name: r.name, wall: median(r.wall), cpu: median(r.cpu) }));
    const [orig, eq, ours, dec] = med as [typeof med[0], typeof med[0], typeof med[0], typeof med[0]];

    const origRungs = ORIGINAL_RUNGS.map((rh) => ({ name: `${rh}p`, file: join(root, "orig", `orig_${rh}.mp4`) }));
    const oursRungs = plan.renditions.map((r) => ({ name: r.name, file: join(root, "ours", `${r.name}.mp4`) }));
    const origSsim = await Promise.all(origRungs.map(async (r) => ({ ...r, ssim: await ssim(r.file, src) })));
    const oursSsim = await Promise.all(oursRungs.map(async (r) => ({ ...r, ssim: await ssim(r.file, src) })));
    const origBytes = sizeOf(join(root, "orig"), (n) => n.endsWith(".mp4"));
    const oursMp4Bytes = sizeOf(join(root, "ours"), (n) => n.endsWith(".mp4") && n !== "init.mp4");
    const oursHlsBytes = sizeOf(join(root, "ours"), (n) => n.endsWith(".m4s") || n === "init.mp4");

    console.log(`\n== ${label}: ${w}x${h}, ${seconds} s, ${reps} interleaved repetitions (medians) ==`);
    console.log("approach".padEnd(48) + "wall s".padStart(8) + "CPU s".padStart(8));
    for (const r of med) console.log(r.name.padEnd(48) + r.wall.toFixed(1).padStart(8) + r.cpu.toFixed(1).padStart(8));
    console.log(`sizes: original MP4s ${(origBytes / 1e6).toFixed(2)} MB; ours MP4s ${(oursMp4Bytes / 1e6).toFixed(2)} MB + HLS ${(oursHlsBytes / 1e6).toFixed(2)} MB`);
    console.log("SSIM per rung (vs source scaled to the rung):");
    for (const o of origSsim) {
      const mine = oursSsim.find((x) => x.name === o.name);
      console.log(
        `  ${o.name.padEnd(6)} original ${o.ssim.toFixed(5)}  ours ${mine ? mine.ssim.toFixed(5) : "(not produced: no upscale)"}` +
          (mine ? `  diff ${(mine.ssim - o.ssim).toFixed(5)}` : ""),
      );
    }
    for (const m of oursSsim.filter((x) => !origSsim.some((o) => o.name === x.name)))
      console.log(`  ${m.name.padEnd(6)} ours ${m.ssim.toFixed(5)} (native top rung)`);
    const ideal = orig.wall - (ORIGINAL_RUNGS.length - 1) * dec.wall;
    const idealCpu = orig.cpu - (ORIGINAL_RUNGS.length - 1) * dec.cpu;
    console.log("ratios:");
    console.log(`  original / equal-settings wall ${(orig.wall / eq.wall).toFixed(2)}x, CPU ${(orig.cpu / eq.cpu).toFixed(2)}x`);
    console.log(`  equal-settings vs one decode + the encodes (original - 2 decodes): wall ${(eq.wall / ideal).toFixed(3)}, CPU ${(eq.cpu / idealCpu).toFixed(3)} (target <= 1.05)`);
    console.log(`  original / ours-default wall ${(orig.wall / ours.wall).toFixed(2)}x, CPU ${(orig.cpu / ours.cpu).toFixed(2)}x`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const seconds = arg("seconds", 20);
const reps = arg("reps", 2);
console.log(`bench:transcode  ffmpeg=${ffmpeg}  cores=${(await import("node:os")).availableParallelism()}  load=${(await import("node:os")).loadavg().map((x) => x.toFixed(1)).join(",")}`);
await benchSource("1080p source", 1920, 1080, seconds, reps);
await benchSource("360p source", 640, 360, arg("small-seconds", seconds), reps);
