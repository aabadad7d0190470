import assert from "node:assert/strict";
import { createJob, getJob, ok, waitFor, type Outcome } from "../operator/helpers/operator-harness.js";
import { ChaosCluster } from "./harness.js";

describe("chaos: three operator processes given the same POD_NAME (a copied manifest)", function () {
  this.timeout(300_000);
  let c: ChaosCluster | undefined;
  after(() => c?.close());

  it("elect one leader: never more than five tasks alive, no attempt launched twice, every job Succeeded", async () => {
    // Tasks linger 0.5-2.5 s between their result and STOPPED, as ECS tasks do.
    const policy = (name: string, attempt: number): Outcome => ({ after: 500, exitLagMs: 500 + ((name.length * 31 + attempt * 17 + name.charCodeAt(name.length - 1) * 13) % 2000), result: ok });
    c = await ChaosCluster.open("samename", { replicas: 3, podName: () => "operator-0", policy });
    c.start();
    await waitFor("every replica up", () => Promise.resolve(c!.replicas.every((r) => r.identity) || undefined), 60_000);
    const ids = c.replicas.map((r) => r.identity!);
    assert.equal(new Set(ids).size, 3, `distinct lease identities despite one POD_NAME: ${ids.join(", ")}`);
    assert.ok(ids.every((id) => id.startsWith("operator-0_")));
    await waitFor("a leader", () => c!.leader(), 60_000);

    const names = Array.from({ length: 15 }, (_, i) => `same-${String(i).padStart(2, "0")}`);
    await Promise.all(names.map((n) => createJob(c!.suite.kc, c!.suite.namespace, n)));
    await waitFor(
      "every job Succeeded",
      async () => ((await Promise.all(names.map((n) => getJob(c!.suite.kc, c!.suite.namespace, n)))).every((j) => j?.status?.phase === "Succeeded") ? true : undefined),
      240_000,
    );
    await waitFor("no task alive", async () => (await c!.player.running()).length === 0 || undefined, 30_000);

    const leaders = c.replicas.filter((r) => r.lines.some((l) => /"msg":"started leading"/.test(l)));
    assert.equal(leaders.length, 1, `exactly one replica ever led (${leaders.map((r) => r.name).join(", ")})`);
    assert.ok(c.player.samples > 50, `sampled ${c.player.samples} times`);
    assert.ok(c.player.maxRunning <= 5, `at most 5 tasks alive at once (saw ${c.player.maxRunning})`);
    assert.deepEqual([...(await c.duplicateLaunches())], [], "no job attempt launched twice");
    assert.equal((await c.allTasks()).length, names.length, "one task per job");
  });
});
