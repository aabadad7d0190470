import assert from "node:assert/strict";
import { kubectl } from "../crds/kube.js";
import type { Operator } from "../../operator/app/index.js";
import type { AdmissionPolicyKind } from "../../operator/reconcile/index.js";
import type { JobObject } from "../../operator/ports/index.js";
import { createJob, getJob, listJobs, ok, openSuite, startOperator, TaskPlayer, waitFor, type Suite } from "./helpers/operator-harness.js";

/**
 * Fair admission end to end (apiserver, FerretDB, Redis, moto ECS): one owner's twenty jobs do not make a later
 * owner wait for all of them; under fifo they do. Per-owner limits, and the reason a job waits as kubectl shows it.
 */
describe("fair admission end to end (apiserver, FerretDB, moto ECS)", function () {
  this.timeout(300_000);
  let s: Suite;
  let op: Operator | undefined;
  let player: TaskPlayer | undefined;

  before(async () => {
    s = await openSuite("opfair");
  });
  afterEach(async () => {
    player?.stop();
    await op?.stop();
    op = undefined;
  });
  after(async () => {
    await s?.close();
  });

  async function run(kind: AdmissionPolicyKind, maxRunningPerOwner?: number) {
    op = startOperator(s, { capacity: 5, admission: { policy: { kind, maxRunningPerOwner }, halfLifeMs: 3600_000, topOwners: 10 } });
    await op.start();
    // Every task runs until the test ends it: admissions happen exactly when the test frees a slot.
    player = new TaskPlayer(s, () => "hold");
    player.start(100);
    return op;
  }

  const jobsOf = async (prefix: string) => (await listJobs(s.kc, s.namespace)).filter((j) => j.metadata?.name?.startsWith(prefix));
  const running = (prefix: string) =>
    waitFor(`five ${prefix} tasks running`, async () => {
      const ts = (await player!.running()).filter((t) => player!.seen.get(t.taskArn!)?.name.startsWith(prefix));
      return ts.length === 5 ? ts : undefined;
    });

  /** Ends running tasks one at a time until every job of `prefix` Succeeded; returns the jobs. */
  async function drain(prefix: string, total: number): Promise<JobObject[]> {
    return waitFor(
      `all ${prefix} jobs Succeeded`,
      async () => {
        const [t] = await player!.running();
        if (t && player!.seen.has(t.taskArn!)) await player!.finish(t.taskArn!, ok);
        const js = await jobsOf(prefix);
        return js.length === total && js.every((j) => j.status?.phase === "Succeeded") ? js : undefined;
      },
      240_000,
      300,
    );
  }

  /** Seconds from creation to first start, per job. */
  const waitS = (j: JobObject) => (Date.parse(String(j.status?.startedAt)) - Date.parse(String(j.metadata?.creationTimestamp))) / 1000;

  for (const kind of ["fair", "fifo"] as const) {
    it(`${kind}: user A queues 20 jobs, then user B 2: B's first is admitted ${kind === "fair" ? "at the next free slot" : "after all of A's"}`, async () => {
      const p = `${kind}-`;
      await run(kind);
      const aNames = Array.from({ length: 20 }, (_, i) => `${p}a-${String(i).padStart(2, "0")}`);
      for (const n of aNames) await createJob(s.kc, s.namespace, n, { owner: "alice" });
      await running(p);
      await createJob(s.kc, s.namespace, `${p}b-0`, { owner: "bob" });
      await createJob(s.kc, s.namespace, `${p}b-1`, { owner: "bob" });
      // Their places, as the status says: first and second under fair (no usage against A's five slots), behind
      // A's fifteen waiting under fifo.
      const b0 = await waitFor("b-0 has its queue position", async () => {
        const j = await getJob(s.kc, s.namespace, `${p}b-0`);
        return j?.status?.queuePosition !== undefined ? j : undefined;
      });
      assert.equal(b0.status?.queuePosition, kind === "fair" ? 1 : 16);
      assert.equal(b0.status?.conditions?.find((c) => c.type === "Admitted")?.message, `waiting for a free slot (position ${kind === "fair" ? 1 : 16})`);
      // Free one slot: who takes it?
      const [first] = await running(p);
      await player!.finish(first!.taskArn!, ok);
      const next = await waitFor("the freed slot taken", async () => {
        const ts = await player!.running();
        const fresh = ts.filter((t) => t.taskArn !== first!.taskArn && !aNames.slice(0, 5).includes(player!.seen.get(t.taskArn!)?.name ?? ""));
        return ts.length === 5 && fresh.length === 1 ? player!.seen.get(fresh[0]!.taskArn!)?.name : undefined;
      });
      assert.equal(next, kind === "fair" ? `${p}b-0` : `${p}a-05`);
      const done = await drain(p, 22);
      const order = [...done].sort((x, y) => Date.parse(String(x.status?.startedAt)) - Date.parse(String(y.status?.startedAt))).map((j) => j.metadata!.name!);
      const a = done.filter((j) => j.metadata!.name!.startsWith(`${p}a-`)).map(waitS);
      const b = done.filter((j) => j.metadata!.name!.startsWith(`${p}b-`)).map(waitS);
      const fmt = (xs: number[]) => `mean ${(xs.reduce((x, y) => x + y, 0) / xs.length).toFixed(1)} s, max ${Math.max(...xs).toFixed(1)} s`;
      console.log(`      ${kind}: A's 20 jobs waited ${fmt(a)}; B's 2 jobs waited ${b.map((x) => `${x.toFixed(1)} s`).join(", ")} (${fmt(b)}); B admitted as #${order.indexOf(`${p}b-0`) + 1} and #${order.indexOf(`${p}b-1`) + 1} of 22`);
      if (kind === "fair") {
        // B's second job: B holds one slot, A four and an hour's history: B is still first.
        assert.ok(order.indexOf(`${p}b-1`) < 8, `b-1 admitted early (#${order.indexOf(`${p}b-1`) + 1})`);
      } else {
        assert.deepEqual(order.slice(-2), [`${p}b-0`, `${p}b-1`]);
      }
      assert.ok(player!.maxRunning <= 5, `the cap held (saw ${player!.maxRunning})`);
    });
  }

  it("OWNER_MAX_RUNNING 2: an owner never holds more than 2 slots; the others wait with the reason in kubectl's columns; another owner uses the rest", async () => {
    const operator = await run("fair", 2);
    let maxA = 0;
    const sampler = setInterval(() => {
      void Promise.all([operator.slots.holders(), jobsOf("lim-a")]).then(([hs, js]) => {
        const uids = new Set(js.map((j) => j.metadata?.uid));
        maxA = Math.max(maxA, hs.filter((h) => uids.has(h.holder)).length);
      }, () => undefined);
    }, 100);
    try {
      for (let i = 0; i < 5; i++) await createJob(s.kc, s.namespace, `lim-a-${i}`, { owner: "carol" });
      for (let i = 0; i < 2; i++) await createJob(s.kc, s.namespace, `lim-b-${i}`, { owner: "dave" });
      await waitFor("four tasks running (2 + 2)", async () => ((await player!.running()).length === 4 ? true : undefined));
      // kubectl get's table (server-side printing, the CRD's printer columns), as `kubectl get tj` shows it.
      const table = await waitFor("a held job's Admission column", async () => {
        const res = await fetchTable(s, "lim-a-");
        return res.rows.some((r) => r.admission === "owner at its limit of 2 running jobs") ? res : undefined;
      });
      const held = table.rows.filter((r) => r.admission === "owner at its limit of 2 running jobs");
      console.log(`      kubectl get tj: ${table.rows.map((r) => `${r.name} POSITION=${r.position} ADMISSION=${r.admission}`).join("; ")}`);
      assert.equal(held.length, 3, JSON.stringify(table.rows));
      const heldJob = await getJob(s.kc, s.namespace, held[0]!.name);
      assert.equal(heldJob?.status?.queuePosition, undefined);
      assert.equal(heldJob?.status?.conditions?.find((c) => c.type === "Admitted")?.reason, "OwnerLimit");
      await drain("lim-", 7);
      assert.equal(maxA, 2, "carol held 2 slots at most, and did use 2");
      assert.ok(player!.maxRunning <= 4, `2 per owner: at most 4 tasks (saw ${player!.maxRunning})`);
    } finally {
      clearInterval(sampler);
    }
  });
});

/** `kubectl get tj` rows of the jobs named with `prefix`: name, Position and Admission columns as kubectl prints them. */
async function fetchTable(s: Suite, prefix: string): Promise<{ rows: { name: string; position: string; admission: string }[] }> {
  const out = await kubectl("get", "transcodejobs", "-n", s.namespace);
  const lines = out.trimEnd().split("\n");
  const header = lines[0]!;
  const at = (name: string) => header.indexOf(name);
  const [pos, adm, file] = [at("POSITION"), at("ADMISSION"), at("FILE")];
  assert.ok(pos > 0 && adm > pos, `kubectl shows the POSITION and ADMISSION columns: ${header}`);
  // Columns are space-padded to the header's offsets; FILE follows ADMISSION.
  const cut = (l: string, from: number, to: number) => l.slice(from, to > 0 ? to : undefined).trim();
  return {
    rows: lines
      .slice(1)
      .map((l) => ({ name: l.split(/\s+/)[0]!, position: cut(l, pos, adm), admission: cut(l, adm, file) }))
      .filter((r) => r.name.startsWith(prefix)),
  };
}
