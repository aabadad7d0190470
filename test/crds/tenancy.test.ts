import assert from "node:assert/strict";
import { AdmissionregistrationV1Api, CoreV1Api } from "@kubernetes/client-node";
import { stringify } from "yaml";
import { checkTenancy, OWNER_LABEL, TENANCY_RULES, type TenancyPolicy, type TenancySubject } from "../../crds/index.js";
import { TENANCY_POLICY_NAME } from "../../crds/generator/index.js";
import { applyCrd, applyTenancyBinding } from "../../lib/kube/index.js";
import { createNamespace, customObjects, deleteNamespace, kubeConfig, kubectlWithInput, mergePatch, ref, rejection, tj } from "./kube.js";

const POLICY: TenancyPolicy = {
  uploadsBuckets: ["uploads", "legacy-videos"],
  uploadsPrefix: "uploads/",
  outputsBucket: "outputs",
  outputsPrefix: "outputs/",
  namespacePrefix: "namespaces/",
};

interface Case {
  name: string;
  job: (ns: string) => TenancySubject & { metadata: { name: string } };
  /** The field the refusal names; undefined: the job keeps the rule and is created. */
  field?: string;
}

const userJob = (name: string, owner: string, over: { key?: string; bucket?: string; outBucket?: string; prefix?: string; label?: string | null } = {}) => ({
  metadata: { name, ...(over.label === null ? {} : { labels: { [OWNER_LABEL]: over.label ?? owner } }) },
  spec: {
    source: { bucket: over.bucket ?? "uploads", key: over.key ?? `uploads/${owner}/u1/in.mov` },
    output: { bucket: over.outBucket ?? "outputs", prefix: over.prefix ?? `outputs/${owner}/${name}/` },
    owner,
  },
});
const nsJob = (ns: string, name: string, over: { key?: string; prefix?: string } = {}) => ({
  metadata: { name },
  spec: { source: { bucket: "uploads", key: over.key ?? `namespaces/${ns}/in.mov` }, output: { bucket: "outputs", prefix: over.prefix ?? `namespaces/${ns}/${name}/` } },
});

/** Forged kubectl jobs, each refused with its field named, and the jobs that keep the rule. */
const CASES: Case[] = [
  { name: "a user's job within the rule", job: () => userJob("ok-user", "alice") },
  { name: "a user's job reading a second allowed bucket", job: () => userJob("ok-legacy", "alice", { bucket: "legacy-videos" }) },
  { name: "a kubectl job within its namespace's prefix", job: (ns) => nsJob(ns, "ok-ns") },
  { name: "reading another owner's upload", job: () => userJob("steal", "alice", { key: "uploads/bob/u1/in.mov" }), field: "spec.source.key" },
  { name: "escaping the owner's prefix with ..", job: () => userJob("dotdot", "alice", { key: "uploads/alice/../bob/u1/in.mov" }), field: "spec.source.key" },
  { name: "reading from the outputs bucket", job: () => userJob("from-out", "alice", { bucket: "outputs" }), field: "spec.source.bucket" },
  { name: "reading from a bucket not served", job: () => userJob("elsewhere", "alice", { bucket: "someone-elses" }), field: "spec.source.bucket" },
  { name: "writing into another owner's outputs", job: () => userJob("overwrite", "alice", { prefix: "outputs/bob/j1/" }), field: "spec.output.prefix" },
  { name: "writing into another bucket", job: () => userJob("out-bucket", "alice", { outBucket: "uploads" }), field: "spec.output.bucket" },
  { name: "an owner label that is not spec.owner", job: () => userJob("label", "alice", { label: "bob" }), field: `metadata.labels[${OWNER_LABEL}]` },
  { name: "a kubectl job reading a user's uploads", job: (ns) => nsJob(ns, "ns-steal", { key: "uploads/alice/u1/in.mov" }), field: "spec.source.key" },
  { name: "a kubectl job writing into a user's outputs", job: (ns) => nsJob(ns, "ns-overwrite", { prefix: "outputs/alice/j1/" }), field: "spec.output.prefix" },
  { name: "a kubectl job reading another namespace's objects", job: (ns) => nsJob(ns, "ns-other", { key: `namespaces/x${ns}/in.mov` }), field: "spec.source.key" },
];

describe("crds: the tenancy rule in the apiserver (ValidatingAdmissionPolicy) and in TypeScript agree", function () {
  this.timeout(60_000);
  let ns = "";
  let binding = "";

  before(async () => {
    const kc = kubeConfig();
    await applyCrd(kc);
    ns = await createNamespace("crds-tenancy");
    binding = `tenancy-${ns}`;
    await applyTenancyBinding(kc, { name: binding, policy: POLICY, namespaces: [ns], paramNamespace: ns });
  });
  after(async () => {
    const admission = kubeConfig().makeApiClient(AdmissionregistrationV1Api);
    if (binding) await admission.deleteValidatingAdmissionPolicyBinding({ name: binding }).catch(() => undefined);
    if (ns) await deleteNamespace(ns);
  });

  it("the CRD install ships the policy, with one validation per rule", async () => {
    const policy = await kubeConfig().makeApiClient(AdmissionregistrationV1Api).readValidatingAdmissionPolicy({ name: TENANCY_POLICY_NAME });
    assert.ok((policy.spec?.validations?.length ?? 0) >= TENANCY_RULES.length);
    assert.equal(policy.spec?.failurePolicy, "Fail");
  });

  for (const c of CASES) {
    it(`${c.field ? "refuses" : "admits"} ${c.name}${c.field ? `, naming ${c.field}` : ""}`, async () => {
      const job = c.job(ns);
      const ts = checkTenancy({ ...job, metadata: { ...job.metadata, namespace: ns } }, POLICY);
      assert.equal(ts[0]?.path, c.field, "the TypeScript rule's verdict");
      const body = tj(job.metadata.name, job.spec, { metadata: { ...job.metadata, namespace: ns } });
      if (!c.field) {
        await customObjects().createNamespacedCustomObject({ ...ref(ns), body });
        return;
      }
      const r = await rejection(customObjects().createNamespacedCustomObject({ ...ref(ns), body }));
      assert.equal(r.code, 422);
      assert.ok(r.message.includes(`${c.field}: ${ts[0]?.message}`), `the apiserver's message names the field with the TypeScript message: ${r.message}`);
      assert.ok(r.message.includes(TENANCY_POLICY_NAME), r.message);
    });
  }

  it("kubectl apply of a forged job is refused at apply time with the field named, and nothing is created", async () => {
    const job = userJob("kubectl-steal", "alice", { key: "uploads/bob/u1/secret.mov" });
    const manifest = stringify(tj(job.metadata.name, job.spec, { metadata: { ...job.metadata, namespace: ns } }));
    const r = await kubectlWithInput(manifest, "apply", "-f", "-");
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /spec\.source\.key: must lie under uploads\/alice\//);
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
    const got = await rejection(customObjects().getNamespacedCustomObject({ ...ref(ns), name: job.metadata.name }));
    assert.equal(got.code, 404);
  });

  it("an update that changes the owner label is refused; the operator's own updates of old jobs are not", async () => {
    const job = userJob("relabel", "alice");
    await customObjects().createNamespacedCustomObject({ ...ref(ns), body: tj(job.metadata.name, job.spec, { metadata: { ...job.metadata, namespace: ns } }) });
    const r = await rejection(
      customObjects().patchNamespacedCustomObject(
        { ...ref(ns), name: "relabel", body: { metadata: { labels: { [OWNER_LABEL]: "bob" } } } },
        mergePatch,
      ),
    );
    assert.equal(r.code, 422);
    assert.match(r.message, /metadata\.labels\[media\.transcoder\.dev\/owner\]|metadata\.labels/);
    // A finalizer (what the operator adds) passes.
    await customObjects().patchNamespacedCustomObject({ ...ref(ns), name: "relabel", body: { metadata: { finalizers: ["x.test/f"] } } }, mergePatch);
    await customObjects().patchNamespacedCustomObject({ ...ref(ns), name: "relabel", body: { metadata: { finalizers: null } } }, mergePatch);
  });

  it("without its parameters the binding refuses every job (parameterNotFoundAction: Deny)", async () => {
    await kubeConfig().makeApiClient(CoreV1Api).deleteNamespacedConfigMap({ name: binding, namespace: ns });
    const job = userJob("no-params", "alice");
    let refused = false;
    for (let i = 0; i < 50 && !refused; i++) {
      try {
        await customObjects().createNamespacedCustomObject({ ...ref(ns), body: tj(job.metadata.name, job.spec, { metadata: { ...job.metadata, namespace: ns } }), dryRun: "All" });
        await new Promise((r) => setTimeout(r, 200));
      } catch {
        refused = true;
      }
    }
    assert.ok(refused, "a job was admitted with the policy's parameters gone");
  });
});
