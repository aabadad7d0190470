import assert from "node:assert/strict";
import { InFlightLaunches } from "../../operator/launchers/in-flight.js";
import type { LaunchRequest, TaskLauncher, TaskRef } from "../../operator/ports/index.js";

/** A launcher double whose launches end when the test says so (the port interface, not a server). */
function held(): { launcher: TaskLauncher; finish: (ok: boolean) => void } {
  const ends: ((ok: boolean) => void)[] = [];
  const launcher: TaskLauncher = {
    kind: "ecs",
    launch: (r: LaunchRequest) =>
      new Promise<TaskRef>((resolve, reject) => ends.push((ok) => (ok ? resolve({ launcher: "ecs", id: `task-${r.attempt}`, attempt: r.attempt }) : reject(new Error("throttled"))))),
    describe: () => Promise.resolve([]),
    stop: () => Promise.resolve(),
  };
  return { launcher, finish: (ok) => ends.shift()?.(ok) };
}

const request = (attempt: number): LaunchRequest => ({ uid: "u", namespace: "ns", name: "j", attempt, env: {} });

describe("InFlightLaunches: a stopping leader waits for the launches already past its fence", () => {
  it("settles at once when nothing is in flight", async () => {
    assert.equal(await new InFlightLaunches(held().launcher).settled(10), true);
  });

  it("waits for every launch in progress, answered or failed, and passes results through", async () => {
    const h = held();
    const l = new InFlightLaunches(h.launcher);
    const first = l.launch(request(1));
    const second = l.launch(request(2)).catch((e: Error) => e.message);
    assert.equal(l.inProgress, 2);
    let settled: boolean | undefined;
    const waiting = l.settled(5_000).then((v) => (settled = v));
    h.finish(true);
    assert.deepEqual(await first, { launcher: "ecs", id: "task-1", attempt: 1 });
    await new Promise((r) => setImmediate(r));
    assert.equal(settled, undefined, "one launch still in flight");
    h.finish(false);
    assert.equal(await second, "throttled");
    await waiting;
    assert.equal(settled, true);
    assert.equal(l.inProgress, 0);
  });

  it("gives up after the timeout with the launch still counted", async () => {
    const l = new InFlightLaunches(held().launcher);
    void l.launch(request(1));
    assert.equal(await l.settled(20), false);
    assert.equal(l.inProgress, 1);
  });

  it("keeps the inner launcher's optional find only when it has one", () => {
    const h = held();
    assert.equal(new InFlightLaunches(h.launcher).find, undefined);
    const withFind = new InFlightLaunches({ ...h.launcher, find: () => Promise.resolve({ launcher: "ecs" as const, id: "t", attempt: 1 }) });
    assert.equal(typeof withFind.find, "function");
  });
});
