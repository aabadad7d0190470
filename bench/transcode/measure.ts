/** Process timing for the bench: wall seconds from the clock, CPU seconds of the child from bash's `times`. */
import { spawn } from "node:child_process";

export interface Timing {
  wall: number;
  cpu: number;
}

function parseTimes(stderr: string): number {
  // `times` prints two lines (shell, children): "XmY.YYYs XmY.YYYs"; the second is the child's user and sys.
  const lines = stderr.trim().split("\n").filter((l) => /^\d+m[\d.]+s \d+m[\d.]+s$/.test(l.trim()));
  const last = lines.at(-1);
  if (!last) return Number.NaN;
  return last
    .trim()
    .split(" ")
    .map((t) => {
      const m = /^(\d+)m([\d.]+)s$/.exec(t)!;
      return Number(m[1]) * 60 + Number(m[2]);
    })
    .reduce((a, b) => a + b, 0);
}

/** Runs each argv in turn (a pipeline of sequential commands) and returns total wall and CPU seconds. */
export async function timed(commands: string[][], cwd: string): Promise<Timing> {
  const t0 = performance.now();
  let cpu = 0;
  for (const argv of commands) {
    const stderr = await new Promise<string>((resolve, reject) => {
      const child = spawn("bash", ["-c", '"$@"; rc=$?; times >&2; exit $rc', "bash", ...argv], {
        cwd,
        stdio: ["ignore", "ignore", "pipe"],
      });
      let err = "";
      child.stderr.setEncoding("utf8").on("data", (d: string) => (err = (err + d).slice(-20000)));
      child.on("error", reject);
      child.on("close", (code) =>
        code === 0 ? resolve(err) : reject(new Error(`${argv.slice(0, 3).join(" ")}… exited ${code}: ${err.slice(-800)}`)),
      );
    });
    cpu += parseTimes(stderr);
  }
  return { wall: (performance.now() - t0) / 1000, cpu };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
