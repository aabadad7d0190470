/**
 * The mocha phase of `npm test`: runs the shards of scripts/test/shards.ts as concurrent mocha processes (each
 * starts its own stack through test/env/fixture.ts), with .mocharc.json's options and each shard's files as spec.
 * Each shard's output goes to a log file and is printed whole when the shard ends, with its name and duration,
 * so the outputs never interleave. Exits non-zero when any shard fails (or the partition is wrong).
 *
 *   tsx scripts/test/run-shards.cli.ts [shard ...]     (default: every shard)
 *
 * Run under c8 (scripts/test.sh does): the mocha processes inherit NODE_V8_COVERAGE, so one report covers all.
 */
import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { partition, partitionProblems, shards } from "./shards.js";

const p = partition();
const problems = partitionProblems(p);
if (problems.length) {
  console.error(`scripts/test/shards.ts does not put every test file in exactly one shard:\n  ${problems.join("\n  ")}`);
  process.exit(2);
}
const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !shards.some((s) => s.name === w));
if (unknown.length) {
  console.error(`no shard ${unknown.join(", ")}; the shards are ${shards.map((s) => s.name).join(", ")}`);
  process.exit(2);
}
const chosen = shards.filter((s) => !wanted.length || wanted.includes(s.name));

const base = JSON.parse(readFileSync(".mocharc.json", "utf8")) as Record<string, unknown>;
delete base.$comment;
const mocha = createRequire(import.meta.url).resolve("mocha/bin/mocha.js");
const dir = mkdtempSync(join(tmpdir(), "transcode-cp-shards-"));
console.log(`  ${chosen.length} shard(s) at once: ${chosen.map((s) => `${s.name} (${p.files.get(s.name)!.length} files)`).join(", ")}; logs in ${dir}`);

interface Outcome {
  name: string;
  code: number;
  seconds: number;
}

const children = new Set<ReturnType<typeof spawn>>();
let interrupted: NodeJS.Signals | undefined;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  // Each mocha stops its own stack on these (test/env/fixture.ts); wait for them to do so. The shards run in
  // process groups of their own (detached), so a Ctrl-C reaches each one once, from here, as in
  // test/testenv/lifecycle.test.ts, and not also every service at once. An interrupted run fails whatever the
  // shards' exit codes (mocha can exit 0 when interrupted).
  process.on(signal, () => {
    interrupted ??= signal;
    for (const c of children) c.kill(signal);
  });
}

function runShard(name: string, files: string[]): Promise<Outcome> {
  const config = join(dir, `mocharc-${name}.json`);
  writeFileSync(config, JSON.stringify({ ...base, spec: files }, null, 2));
  const log = join(dir, `${name}.log`);
  const fd = openSync(log, "w");
  const t0 = Date.now();
  const child = spawn(process.execPath, [mocha, "--config", config], { stdio: ["ignore", fd, fd], detached: true });
  closeSync(fd);
  children.add(child);
  return new Promise((resolve) => {
    child.once("error", (err) => writeFileSync(log, `\ncould not start mocha: ${err.message}\n`, { flag: "a" }));
    child.once("close", (code, signal) => {
      children.delete(child);
      const seconds = Math.round((Date.now() - t0) / 1000);
      const outcome = { name, code: interrupted ? 1 : (code ?? 1), seconds };
      const status = interrupted ? `INTERRUPTED (${interrupted})` : outcome.code === 0 ? "passed" : `FAILED (exit ${code ?? signal})`;
      process.stdout.write(`\n==> shard ${name} (${files.length} files)\n${readFileSync(log, "utf8")}`);
      process.stdout.write(`<== shard ${name}: ${seconds} s, ${status}; log: ${log}\n`);
      resolve(outcome);
    });
  });
}

const outcomes = await Promise.all(chosen.map((s) => runShard(s.name, p.files.get(s.name)!)));
console.log(`\n  shards: ${outcomes.map((o) => `${o.name} ${o.seconds} s${o.code === 0 ? "" : " FAILED"}`).join(", ")}`);
const failed = outcomes.filter((o) => o.code !== 0);
if (interrupted) {
  console.error(`  interrupted (${interrupted}): the run is not a pass`);
  process.exitCode = 130;
} else if (failed.length) {
  console.error(`  ${failed.length} shard(s) failed: ${failed.map((o) => o.name).join(", ")}`);
  process.exitCode = 1;
}
