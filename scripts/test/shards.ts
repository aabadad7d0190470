/**
 * The whole mocha suite split into shards: concurrent mocha processes, each with its own stack of real services
 * (test/env/fixture.ts starts one per process, on free ports, with its own data and log dirs). Most suites wait on
 * timers, leases and I/O, so shards overlap well even on two cores.
 *
 * The grouping rules:
 * - the suites that crash or restart servers (testStack().restart) or start stacks of their own are in
 *   `disruptive`: the files of one shard run one after another, so a restart only ever hits its own stack while
 *   no other suite uses it (the other shards have stacks of their own);
 * - the CPU-heavy media suites (ffmpeg, Chromium, podman) are in the other two, not next to the chaos suite's
 *   timed faults;
 * - every suite that builds or runs the podman images is in one shard, so the images are built once per run;
 * - the rest balances the shards' durations (the longest shard is the phase's wall time).
 *
 * Every test file is in exactly one shard: `partition` fails on a file in none or in two (the runner checks it
 * before it starts anything, and test/testenv/shards.unit.test.ts checks it on its own).
 */
import { globSync } from "node:fs";

export interface Shard {
  name: string;
  /** Globs relative to the repository root. */
  spec: string[];
}

/** Every test file the whole suite runs (the spec of .mocharc.json). */
export const allTests = "test/**/*.test.ts";

export const shards: readonly Shard[] = [
  {
    name: "disruptive",
    spec: [
      // restart the apiserver, Redis and FerretDB of their stack
      "test/chaos/**/*.test.ts",
      "test/smoke/**/*.test.ts",
      // starts and interrupts whole stacks of its own (CPU while they start)
      "test/testenv/**/*.test.ts",
      "test/operator-kube/leader.test.ts",
      "test/security/**/*.test.ts",
      "test/config/**/*.test.ts",
      "test/infra/**/*.test.ts",
      "test/lambda/**/*.test.ts",
      "test/crds/**/*.test.ts",
      "test/bridge/**/*.test.ts",
    ],
  },
  {
    name: "operator",
    spec: [
      "test/operator/**/*.test.ts",
      "test/operator-kube/cluster.test.ts",
      "test/operator-kube/errors.unit.test.ts",
      "test/operator-kube/informer.test.ts",
      "test/operator-kube/rbac.test.ts",
      "test/operator-kube/workqueue.unit.test.ts",
      // media: ffmpeg, Chromium
      "test/transcoder/**/*.test.ts",
    ],
  },
  {
    name: "api",
    spec: [
      "test/api/**/*.test.ts",
      // media: ffmpeg through the whole control plane
      "test/e2e/**/*.test.ts",
      // every podman suite: the images are built once per shard that asks for them
      "test/images/**/*.test.ts",
      "test/chart/**/*.test.ts",
    ],
  },
];

export interface Partition {
  /** Shard name -> its files, sorted. */
  files: Map<string, string[]>;
  /** Files no shard names. */
  unassigned: string[];
  /** Files more than one shard names, with those shards. */
  duplicated: { file: string; shards: string[] }[];
  /** Globs that match no test file (a renamed or removed suite). */
  emptyGlobs: { shard: string; glob: string }[];
}

/** Resolves each shard's globs against the tree under `cwd` and checks them against every test file. */
export function partition(list: readonly Shard[] = shards, cwd = process.cwd()): Partition {
  const all = new Set(globSync(allTests, { cwd }));
  const owners = new Map<string, string[]>();
  const files = new Map<string, string[]>();
  const emptyGlobs: Partition["emptyGlobs"] = [];
  for (const shard of list) {
    const mine = new Set<string>();
    for (const glob of shard.spec) {
      const matched = globSync(glob, { cwd }).filter((f) => all.has(f));
      if (!matched.length) emptyGlobs.push({ shard: shard.name, glob });
      for (const f of matched) mine.add(f);
    }
    for (const f of mine) owners.set(f, [...(owners.get(f) ?? []), shard.name]);
    files.set(shard.name, [...mine].sort());
  }
  return {
    files,
    unassigned: [...all].filter((f) => !owners.has(f)).sort(),
    duplicated: [...owners].filter(([, s]) => s.length > 1).map(([file, s]) => ({ file, shards: s })),
    emptyGlobs,
  };
}

/** The partition's problems, one line each; none when every test file is in exactly one shard. */
export function partitionProblems(p: Partition): string[] {
  return [
    ...p.unassigned.map((f) => `${f} is in no shard (add it to scripts/test/shards.ts)`),
    ...p.duplicated.map((d) => `${d.file} is in more than one shard: ${d.shards.join(", ")}`),
    ...p.emptyGlobs.map((g) => `shard ${g.shard}: ${g.glob} matches no test file`),
  ];
}
