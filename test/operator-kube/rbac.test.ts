import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { CoordinationV1Api, CoreV1Api, CustomObjectsApi, RbacAuthorizationV1Api } from "@kubernetes/client-node";
import { GROUP, PLURAL, VERSION, type TranscodeJob } from "../../crds/index.js";
import { TerminalError } from "../../lib/errors/index.js";
import { createLeaderElector, createTranscodeJobCluster, leaderElectionRole, operatorClusterRole, type LeaderElector } from "../../operator/kube/index.js";
import { createTranscodeJobInformer, statusOf, type Informer } from "../../lib/kube/index.js";
import { testEnv } from "../env/index.js";
import { waitFor } from "../support/wait.js";
import { adminKubeConfig, createNamespace, deleteNamespace, ensureCrd, newJob, userKubeConfig } from "./support.js";

const forbidden = (err: unknown) => statusOf(err) === 403 || (err instanceof TerminalError && err.reason === "Forbidden");

describe("operator/kube RBAC: the unprivileged user bound to operatorClusterRole can do exactly what the operator needs", function () {
  this.timeout(60_000);
  const suffix = randomBytes(3).toString("hex");
  const roleName = `opkube-test-operator-${suffix}`;
  let ns: string;
  let otherNs: string;
  const rbac = () => adminKubeConfig().makeApiClient(RbacAuthorizationV1Api);
  let informer: Informer<TranscodeJob> | undefined;
  let elector: LeaderElector | undefined;

  before(async () => {
    await ensureCrd();
    ns = await createNamespace("opkube-rbac");
    otherNs = await createNamespace("opkube-rbac-other");
    const user = testEnv().kube.userName;
    await rbac().createClusterRole({ body: operatorClusterRole(roleName) });
    await rbac().createClusterRoleBinding({
      body: {
        metadata: { name: roleName },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: roleName },
        subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: user }],
      },
    });
    const role = leaderElectionRole(ns, roleName);
    await rbac().createNamespacedRole({ namespace: ns, body: role });
    await rbac().createNamespacedRoleBinding({
      namespace: ns,
      body: {
        metadata: { name: roleName, namespace: ns },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: roleName },
        subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: user }],
      },
    });
    // RBAC is served from the apiserver's informer cache: wait until the binding is in effect.
    const cluster = createTranscodeJobCluster(userKubeConfig());
    await waitFor(async () => (await cluster.list(ns)).resourceVersion !== "", 10_000, "binding effective");
  });

  after(async () => {
    await informer?.stop();
    await elector?.stop();
    await rbac()
      .deleteClusterRoleBinding({ name: roleName })
      .catch(() => undefined);
    await rbac()
      .deleteClusterRole({ name: roleName })
      .catch(() => undefined);
    const admin = createTranscodeJobCluster(adminKubeConfig());
    for (const j of (await admin.list(ns)).items) await admin.removeFinalizer(ns, j.metadata.name!).catch(() => undefined);
    await deleteNamespace(ns);
    await deleteNamespace(otherNs);
  });

  it("the rules are typed objects naming the TranscodeJob group, its status subresource, events and leases", () => {
    const rules = operatorClusterRole().rules ?? [];
    assert.ok(rules.some((r) => r.apiGroups?.includes(GROUP) && r.resources?.includes(`${PLURAL}/status`) && r.verbs.includes("patch")));
    assert.ok(!rules.some((r) => r.verbs.includes("*") || r.resources?.includes("*")), "no wildcards");
    assert.ok(!rules.some((r) => r.verbs.includes("delete")), "the operator never deletes jobs");
    assert.deepEqual(leaderElectionRole("x").rules?.[0]?.resources, ["leases"]);
  });

  it("allowed: every Cluster port operation, in any namespace", async () => {
    const cluster = createTranscodeJobCluster(userKubeConfig());
    for (const where of [ns, otherNs]) {
      const { object } = await cluster.create(newJob(where, "rbac-job"));
      assert.equal((await cluster.get(where, "rbac-job"))?.metadata.uid, object.metadata.uid);
      assert.equal((await cluster.patchStatus(where, "rbac-job", { phase: "Queued" }))?.status?.phase, "Queued");
      assert.ok((await cluster.addFinalizer(where, "rbac-job"))?.metadata.finalizers?.length);
      assert.deepEqual((await cluster.removeFinalizer(where, "rbac-job"))?.metadata.finalizers ?? [], []);
      await cluster.emitEvent(object, { type: "Normal", reason: "RbacCheck", message: "allowed" });
    }
    assert.ok((await cluster.list()).items.length >= 2, "cluster-wide list");
  });

  it("allowed: a cluster-wide informer lists and watches", async () => {
    informer = createTranscodeJobInformer({ kubeConfig: userKubeConfig(), resyncPeriodMs: 0 });
    await informer.start();
    const cluster = createTranscodeJobCluster(adminKubeConfig());
    await cluster.create(newJob(otherNs, "watched"));
    await waitFor(() => informer!.get(`${otherNs}/watched`) !== undefined, 10_000, "watched through the user's binding");
  });

  it("allowed: leader election with a Lease in the operator's namespace", async () => {
    let epoch: number | undefined;
    elector = createLeaderElector({
      kubeConfig: userKubeConfig(),
      namespace: ns,
      name: "op",
      identity: "rbac",
      leaseDurationMs: 3000,
      renewDeadlineMs: 2000,
      retryPeriodMs: 300,
      onStartedLeading: (e) => (epoch = e),
      onStoppedLeading: () => undefined,
    });
    await elector.start();
    await waitFor(() => epoch !== undefined, 10_000, "leading");
  });

  it("denied: deleting or replacing jobs, leases elsewhere, secrets, pods", async () => {
    const kc = userKubeConfig();
    const custom = kc.makeApiClient(CustomObjectsApi);
    const ref = { group: GROUP, version: VERSION, plural: PLURAL, namespace: ns, name: "rbac-job" };
    await assert.rejects(custom.deleteNamespacedCustomObject(ref), forbidden);
    const current = (await custom.getNamespacedCustomObject(ref)) as TranscodeJob;
    await assert.rejects(custom.replaceNamespacedCustomObject({ ...ref, body: current }), forbidden);
    await assert.rejects(
      kc.makeApiClient(CoordinationV1Api).createNamespacedLease({ namespace: otherNs, body: { metadata: { name: "x" }, spec: {} } }),
      forbidden,
    );
    await assert.rejects(kc.makeApiClient(CoreV1Api).listNamespacedSecret({ namespace: ns }), forbidden);
    await assert.rejects(
      kc.makeApiClient(CoreV1Api).createNamespacedPod({ namespace: ns, body: { metadata: { name: "p" }, spec: { containers: [{ name: "c", image: "x" }] } } }),
      forbidden,
    );
    await assert.rejects(kc.makeApiClient(RbacAuthorizationV1Api).listClusterRole(), forbidden);
  });

  it("a Forbidden answer reaches the reconciler as a TerminalError (no retry storm)", async () => {
    const noRights = createTranscodeJobCluster(userKubeConfig());
    await rbac().deleteClusterRoleBinding({ name: roleName });
    await waitFor(
      async () => {
        try {
          await noRights.get(ns, "rbac-job");
          return false;
        } catch (err) {
          return err instanceof TerminalError && err.reason === "Forbidden";
        }
      },
      10_000,
      "403 mapped to TerminalError(Forbidden)",
    );
  });
});
