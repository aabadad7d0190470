/** Command-line flags of bench:operator, validated once. Counts default to the figures. */
export const SCENARIOS = ["admission", "baseline", "refill", "scale"] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface Flags {
  /** Jobs for the admission latency (ours and the baseline). */
  jobs: number;
  /** Jobs created together per burst (at most 5, so every burst finds free slots). */
  burst: number;
  /** Random pause 0..jitterMs before each burst / each refill, so samples fall at every phase of a poll period. */
  jitterMs: number;
  /** Slot refills measured. */
  refills: number;
  /** TranscodeJobs for the memory/throughput scenario. */
  scale: number;
  scaleConcurrency: number;
  /** Seconds of steady state measured once every job is Queued. */
  scaleWindowS: number;
  /** Longest wait for every job to be Queued before measuring anyway. */
  scaleSettleS: number;
  baselineIntervalMs: number;
  only: Set<ScenarioName>;
  /** Admission policies the admission and scale scenarios run under, each in its own scenario, in this order. */
  policies: ("fair" | "fifo")[];
  /** Owners (API users) the admission and scale scenarios' jobs are spread over, round robin. */
  owners: number;
  runner: "bundle" | "tsx";
  /** Directory for V8 CPU profiles of the operator processes (node --cpu-prof), when set. */
  cpuProfDir: string | undefined;
  /** Operator settings that differ from production defaults (printed with the figures). */
  operatorEnv: Record<string, string>;
}

export const USAGE = `npm run bench:operator -- [flags]
  --jobs N              admission jobs, ours and baseline (200)
  --burst N             jobs per burst, 1..5 (5)
  --jitter-ms N         random pause before each burst/refill (2000)
  --refills N           slot refills measured (30)
  --scale N             TranscodeJobs in the memory/throughput scenario (10000)
  --scale-concurrency N concurrent creates (16)
  --scale-window S      steady-state seconds measured (60)
  --scale-settle S      longest wait for all jobs Queued (420)
  --baseline-interval N the baseline's poll period in ms (2000)
  --only a,b            scenarios: ${SCENARIOS.join(",")} (all)
  --policies a,b        ADMISSION_POLICY values the admission and scale scenarios run under, side by side (fifo,fair)
  --owners N            owners (spec.owner) the admission and scale jobs are spread over (100)
  --runner bundle|tsx   operator run as an esbuild bundle (default) or through tsx
  --cpu-prof-dir DIR    write a V8 CPU profile of each operator process there (node --cpu-prof)
  --env KEY=VALUE       operator setting override, repeatable (e.g. --env POLL_MS=500); default: production defaults`;

export class FlagError extends Error {
  override readonly name = "FlagError";
}

export function parseFlags(argv: readonly string[]): Flags {
  const f: Flags = {
    jobs: 200,
    burst: 5,
    jitterMs: 2000,
    refills: 30,
    scale: 10_000,
    scaleConcurrency: 16,
    scaleWindowS: 60,
    scaleSettleS: 420,
    baselineIntervalMs: 2000,
    only: new Set(SCENARIOS),
    policies: ["fifo", "fair"],
    owners: 100,
    runner: "bundle",
    cpuProfDir: undefined,
    operatorEnv: {},
  };
  const ints: Record<string, [keyof Flags, number, number]> = {
    "--jobs": ["jobs", 1, 100_000],
    "--burst": ["burst", 1, 5],
    "--jitter-ms": ["jitterMs", 0, 60_000],
    "--refills": ["refills", 1, 10_000],
    "--scale": ["scale", 6, 200_000],
    "--scale-concurrency": ["scaleConcurrency", 1, 256],
    "--scale-window": ["scaleWindowS", 1, 3600],
    "--scale-settle": ["scaleSettleS", 1, 7200],
    "--baseline-interval": ["baselineIntervalMs", 10, 60_000],
    "--owners": ["owners", 1, 100_000],
  };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i] ?? "";
    const value = argv[i + 1];
    if (name === "--help" || name === "-h") throw new FlagError(USAGE);
    if (value === undefined) throw new FlagError(`${name} needs a value\n\n${USAGE}`);
    i++;
    const int = ints[name];
    if (int) {
      const n = Number(value);
      if (!Number.isInteger(n) || n < int[1] || n > int[2]) throw new FlagError(`${name} must be an integer in ${int[1]}..${int[2]}, got "${value}"`);
      (f as unknown as Record<string, number>)[int[0]] = n;
    } else if (name === "--only") {
      const names = value.split(",").map((s) => s.trim());
      const bad = names.filter((n) => !(SCENARIOS as readonly string[]).includes(n));
      if (bad.length || names.length === 0) throw new FlagError(`--only takes ${SCENARIOS.join(",")}; unknown: ${bad.join(",")}`);
      f.only = new Set(names as ScenarioName[]);
    } else if (name === "--policies") {
      const ps = value.split(",").map((x) => x.trim());
      if (!ps.length || ps.some((x) => x !== "fair" && x !== "fifo")) throw new FlagError(`--policies takes fair,fifo; got "${value}"`);
      f.policies = ps as ("fair" | "fifo")[];
    } else if (name === "--runner") {
      if (value !== "bundle" && value !== "tsx") throw new FlagError(`--runner must be bundle or tsx, got "${value}"`);
      f.runner = value;
    } else if (name === "--cpu-prof-dir") {
      f.cpuProfDir = value;
    } else if (name === "--env") {
      const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(value);
      if (!m?.[1]) throw new FlagError(`--env takes KEY=VALUE, got "${value}"`);
      f.operatorEnv[m[1]] = m[2] ?? "";
    } else {
      throw new FlagError(`unknown flag ${name}\n\n${USAGE}`);
    }
  }
  return f;
}
