import assert from "node:assert/strict";
import { CoordinationV1Api, V1MicroTime } from "@kubernetes/client-node";
import { pino } from "pino";
import { createLeaderElector, uniqueIdentity, type LeaderElector, type LeaderElectorOptions } from "../../operator/kube/index.js";
import { waitFor } from "../support/wait.js";
import { adminKubeConfig, apiserverProxy, createNamespace, deleteNamespace } from "./support.js";

interface Candidate {
  id: string;
  elector: LeaderElector;
  log: string[];
  epochs: number[];
  signals: AbortSignal[];
}

/** Test timings: lease 4 s, renew deadline 2 s, retry 0.3 s; a 2 s margin keeps the ordering checks robust on a loaded machine. */
function candidate(id: string, namespace: string, server?: string, lease = "test-lease", logger?: LeaderElectorOptions["logger"], timings = { leaseDurationMs: 4000, renewDeadlineMs: 2000, retryPeriodMs: 300 }): Candidate {
  const c: Candidate = { id, elector: undefined as unknown as LeaderElector, log: [], epochs: [], signals: [] };
  c.elector = createLeaderElector({
    kubeConfig: adminKubeConfig(server),
    namespace,
    name: lease,
    identity: id,
    ...timings,
    ...(logger ? { logger } : {}),
    onStartedLeading: (epoch, signal) => {
      c.log.push("start");
      c.epochs.push(epoch);
      c.signals.push(signal);
    },
    onStoppedLeading: () => c.log.push("stop"),
  });
  return c;
}

/** Starts the candidates and samples them for 4 s: never two leaders at once, and one leads at some point. */
async function oneLeaderAtATime(cs: Candidate[]): Promise<void> {
  await Promise.all(cs.map((c) => c.elector.start()));
  let sawLeader = false;
  for (let i = 0; i < 40; i++) {
    const leaders = cs.filter((c) => c.elector.isLeader()).length;
    assert.ok(leaders <= 1, `${leaders} leaders at sample ${i}`);
    sawLeader ||= leaders === 1;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(sawLeader);
}

describe("operator/kube LeaderElector (coordination.k8s.io/v1 Lease, real apiserver)", function () {
  this.timeout(60_000);
  let ns: string;
  const running: LeaderElector[] = [];
  before(async () => {
    ns = await createNamespace("opkube-leader");
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((e) => e.stop()));
  });
  after(() => deleteNamespace(ns));

  it("one of two electors leads; when it stops it releases the lease and the other takes over at once with a higher epoch", async () => {
    const a = candidate("a", ns);
    const b = candidate("b", ns);
    running.push(a.elector, b.elector);
    await a.elector.start();
    await waitFor(() => a.elector.isLeader(), 10_000, "a leads");
    await b.elector.start();
    // b must keep observing a's valid lease and never lead meanwhile.
    for (let i = 0; i < 10; i++) {
      assert.equal(b.elector.isLeader(), false);
      assert.equal(a.elector.isLeader(), true);
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(b.elector.leader, "a");
    const epochA = a.elector.epoch!;
    assert.equal(typeof epochA, "number");
    const t0 = Date.now();
    await a.elector.stop();
    assert.deepEqual(a.log, ["start", "stop"]);
    assert.equal(a.signals[0]?.aborted, true, "the leader's work is told to stop");
    assert.equal(a.elector.epoch, undefined);
    await waitFor(() => b.elector.isLeader(), 10_000, "b takes over");
    assert.ok(Date.now() - t0 < 3500, `released, so no wait for the 4 s expiry (took ${Date.now() - t0} ms)`);
    assert.equal(b.epochs[0], epochA + 1, "epoch (leaseTransitions) grows on every change of holder");
    const lease = await adminKubeConfig().makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace: ns, name: "test-lease" });
    assert.equal(lease.spec?.holderIdentity, "b");
    assert.equal(lease.spec?.leaseTransitions, epochA + 1);
  });

  it("a standby takes a released lease at once, not at its next retry (a watch on the Lease wakes it)", async () => {
    // A 30 s retry period: without the watch, b would first look again 30-36 s after its first round.
    const slow = { leaseDurationMs: 60_000, renewDeadlineMs: 45_000, retryPeriodMs: 30_000 };
    const a = candidate("a", ns, undefined, "watched-lease", undefined, slow);
    const b = candidate("b", ns, undefined, "watched-lease", undefined, slow);
    running.push(a.elector, b.elector);
    await a.elector.start();
    await waitFor(() => a.elector.isLeader(), 10_000, "a leads");
    await b.elector.start();
    await waitFor(() => b.elector.leader === "a", 10_000, "b has seen a's lease");
    await new Promise((r) => setTimeout(r, 500)); // b's watch is connected well before the release
    await a.elector.stop();
    await waitFor(() => b.elector.isLeader(), 10_000, "b takes the released lease long before its next retry");
    assert.deepEqual(a.log, ["start", "stop"]);
    assert.deepEqual(b.log, ["start"]);
  });

  it("several electors started together: never two leaders at any sampled instant", async () => {
    const cs = ["x", "y", "z"].map((id) => candidate(id, ns, undefined, "race-lease"));
    running.push(...cs.map((c) => c.elector));
    await oneLeaderAtATime(cs);
  });

  it("three replicas configured with the same name still elect one leader (the identity is unique per process)", async () => {
    // Every replica given POD_NAME=operator-0, as a copied manifest would: run.ts turns the name into an identity.
    const cs = [0, 1, 2].map(() => candidate(uniqueIdentity("operator-0"), ns, undefined, "same-name-lease"));
    assert.equal(new Set(cs.map((c) => c.id)).size, 3);
    running.push(...cs.map((c) => c.elector));
    await oneLeaderAtATime(cs);
  });

  it("a lease renewed under our identity by another process makes the leader step down and say so", async () => {
    const lines: string[] = [];
    const a = candidate("twin", ns, undefined, "twin-lease");
    running.push(a.elector);
    // A second elector with the same identity, as a misconfigured replica would have without uniqueIdentity.
    const b = candidate("twin", ns, undefined, "twin-lease", pino({ level: "info" }, { write: (l: string) => void lines.push(l) })).elector;
    running.push(b);
    await a.elector.start();
    await waitFor(() => a.elector.isLeader(), 10_000, "a leads");
    // Another process renews the lease under the same identity, bypassing the elector (the impostor).
    const api = adminKubeConfig().makeApiClient(CoordinationV1Api);
    await b.start();
    for (let i = 0; i < 15; i++) {
      assert.equal(b.isLeader(), false, "an elector never leads while another renews under its identity");
      await new Promise((r) => setTimeout(r, 100));
    }
    const lease = await api.readNamespacedLease({ namespace: ns, name: "twin-lease" });
    await api.replaceNamespacedLease({
      namespace: ns,
      name: "twin-lease",
      body: { ...lease, spec: { ...lease.spec, renewTime: new V1MicroTime(Date.now() + 1) } },
    });
    await waitFor(() => !a.elector.isLeader(), 5_000, "a steps down");
    assert.deepEqual(a.log.slice(0, 2), ["start", "stop"]);
    assert.ok(lines.some((l) => /renewed under this replica's identity by another process/.test(l)), "the twin says why it does not lead");
  });

  it("a leader cut off from the apiserver steps down within its renew deadline, before another can take over", async () => {
    const proxy = apiserverProxy();
    await proxy.start();
    try {
      const a = candidate("cut", ns, proxy.url, "cut-lease");
      const b = candidate("standby", ns, undefined, "cut-lease");
      running.push(a.elector, b.elector);
      await a.elector.start();
      await waitFor(() => a.elector.isLeader(), 10_000, "a leads");
      await b.elector.start();
      const epochA = a.elector.epoch!;
      proxy.refuse(true);
      proxy.cutAll();
      const cutAt = Date.now();
      let aStoppedAt = 0;
      let bStartedAt = 0;
      await waitFor(
        () => {
          if (!aStoppedAt && !a.elector.isLeader()) aStoppedAt = Date.now();
          if (!bStartedAt && b.elector.isLeader()) bStartedAt = Date.now();
          return aStoppedAt > 0 && bStartedAt > 0;
        },
        20_000,
        "failover",
      );
      assert.ok(aStoppedAt <= bStartedAt, "the cut-off leader stepped down before the standby started");
      assert.ok(aStoppedAt - cutAt <= 2000 + 1000, `stepped down ${aStoppedAt - cutAt} ms after the cut`);
      assert.ok(bStartedAt - cutAt >= 3500, `standby waited for the lease to expire (${bStartedAt - cutAt} ms)`);
      assert.equal(a.signals[0]?.aborted, true);
      assert.equal(b.epochs[0], epochA + 1);
      // Reconnected, the old leader sees the new holder and stays a follower.
      proxy.refuse(false);
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(a.elector.isLeader(), false);
      assert.equal(a.elector.leader, "standby");
    } finally {
      await proxy.stop();
    }
  });

  it("rejects a second start and impossible timings", async () => {
    const c = candidate("once", ns, undefined, "once-lease");
    running.push(c.elector);
    await c.elector.start();
    await assert.rejects(c.elector.start(), /already started/);
    assert.throws(
      () =>
        createLeaderElector({
          kubeConfig: adminKubeConfig(),
          namespace: ns,
          name: "x",
          identity: "x",
          leaseDurationMs: 1000,
          renewDeadlineMs: 2000,
          onStartedLeading: () => undefined,
          onStoppedLeading: () => undefined,
        }),
      RangeError,
    );
  });
});
