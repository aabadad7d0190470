import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** What outlives the operator of a local task: its process, named so that a reused pid is not mistaken for it. */
export interface TaskRecord {
  id: string;
  pid: number;
  /** The kernel's start time of that pid (/proc/<pid>/stat field 22, clock ticks since boot). */
  started: string;
}

/**
 * The start time of a live process, or undefined when there is none with that pid. A pid is reused after its
 * process is gone; the pair (pid, start time) is not.
 */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const state = rest[0];
    if (state === "Z" || state === "X") return undefined; // a zombie has exited; only its parent has not reaped it
    return rest[19];
  } catch {
    return undefined;
  }
}

export function isRunning(r: TaskRecord): boolean {
  return processStart(r.pid) === r.started;
}

/** One JSON file per task in a directory of its own: written at launch, removed once the task is known stopped. */
export class TaskRecords {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /** Written whole or not at all (a rename), so a crash never leaves half a record. */
  save(r: TaskRecord): void {
    const tmp = join(this.dir, `.${r.id}.tmp`);
    writeFileSync(tmp, JSON.stringify(r));
    renameSync(tmp, join(this.dir, `${r.id}.json`));
  }

  remove(id: string): void {
    rmSync(join(this.dir, `${id}.json`), { force: true });
  }

  load(): TaskRecord[] {
    const out: TaskRecord[] = [];
    for (const name of readdirSync(this.dir).filter((n) => n.endsWith(".json"))) {
      try {
        const r = JSON.parse(readFileSync(join(this.dir, name), "utf8")) as TaskRecord;
        if (typeof r.id === "string" && Number.isInteger(r.pid) && typeof r.started === "string") out.push(r);
      } catch {
        // A file cut short by a crash while it was written: its task is found by nothing, and is not ours to track.
      }
    }
    return out;
  }
}
