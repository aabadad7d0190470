import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { CRD_NAME, parseSpec } from "../../crds/index.js";
import { applyCrd } from "../../lib/kube/index.js";
import { invalidSpecs, readExample, validSpec } from "./examples.js";
import { createNamespace, customObjects, deleteNamespace, kubeConfig, kubectl, mergePatch, ref, rejection, tj } from "./kube.js";

type Obj = { metadata: { generation?: number; resourceVersion?: string }; spec: Record<string, unknown>; status?: Record<string, unknown> };

describe("crds: TranscodeJob CRD on the real kube-apiserver", function () {
  this.timeout(60_000);
  let ns = "";
  const api = () => customObjects();
  const create = (body: unknown, dryRun = false) =>
    api().createNamespacedCustomObject({ ...ref(ns), body, fieldValidation: "Strict", ...(dryRun ? { dryRun: "All" } : {}) }) as Promise<Obj>;
  const get = (name: string) => api().getNamespacedCustomObject({ ...ref(ns), name }) as Promise<Obj>;
  const patch = (name: string, body: unknown) =>
    api().patchNamespacedCustomObject({ ...ref(ns), name, body, fieldValidation: "Strict" }, mergePatch) as Promise<Obj>;
  const patchStatus = (name: string, body: unknown) =>
    api().patchNamespacedCustomObjectStatus({ ...ref(ns), name, body }, mergePatch) as Promise<Obj>;

  before(async () => {
    const crd = await applyCrd(kubeConfig());
    assert.equal(crd.metadata?.name, CRD_NAME);
    ns = await createNamespace("crds");
  });
  after(async () => {
    if (ns) await deleteNamespace(ns);
  });

  it("applies again cleanly (idempotent) and stays Established", async () => {
    const crd = await applyCrd(kubeConfig());
    assert.ok(crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True"));
  });

  it("`kubectl explain transcodejob.spec.ladder` prints the field docs", async () => {
    // The apiserver publishes a new CRD's OpenAPI a moment after Established.
    let out = "";
    for (let i = 0; i < 100; i++) {
      out = await kubectl("explain", "transcodejob.spec.ladder").catch((e: { stderr?: string }) => e.stderr ?? "");
      if (out.includes("exactly one of the two")) break;
      await sleep(200);
    }
    assert.match(out, /KIND:\s+TranscodeJob/);
    assert.match(out, /exactly one of the two/);
    assert.match(out, /preset\s+<string>/);
    assert.match(out, /renditions\s+<\[\]Object>/);
    assert.match(out, /standard = 360p\/720p\/1080p/);
    const height = await kubectl("explain", "tj.spec.ladder.renditions.height");
    assert.match(height, /short side in pixels/);
  });

  it("accepts the minimal example and fills in the same defaults as zod", async () => {
    const minimal = await readExample("minimal");
    const created = await create({ ...minimal, metadata: { name: "minimal" } }, true);
    const parsed = parseSpec(minimal.spec);
    assert.ok(parsed.ok);
    assert.deepEqual(created.spec, parsed.value);
    assert.deepEqual(created.spec.ladder, { preset: "standard" });
  });

  it("accepts the full example unchanged", async () => {
    const full = await readExample("full");
    const created = await create(full, true);
    assert.deepEqual(created.spec, full.spec);
  });

  for (const c of invalidSpecs) {
    it(`rejects ${c.name}, naming ${c.path}`, async () => {
      const r = await rejection(create(tj("bad", c.spec), true));
      assert.ok([400, 422].includes(r.code), `HTTP ${r.code}: ${r.message}`);
      assert.ok(r.fields.includes(c.path) || r.message.includes(`"${c.path}"`), `expected ${c.path} in: ${r.message}`);
      assert.equal(parseSpec(c.spec).ok, false, "zod must reject it too");
    });
  }

  it("rejects a name longer than 63 characters", async () => {
    const r = await rejection(create(tj("x".repeat(64), validSpec()), true));
    assert.equal(r.code, 422);
    assert.match(r.message, /metadata\.name/);
  });

  describe("updates", () => {
    const name = "immutable";
    before(async () => {
      await create(tj(name, { ...validSpec(), owner: "alice", ladder: { renditions: [{ height: 720 }] } }));
    });

    it("allows changing priority and suspend", async () => {
      const before = await get(name);
      const after = await patch(name, { spec: { priority: 7, suspend: true } });
      assert.equal(after.spec.priority, 7);
      assert.equal(after.spec.suspend, true);
      assert.equal(after.metadata.generation, (before.metadata.generation ?? 0) + 1);
    });

    const forbidden: { name: string; patch: Record<string, unknown>; path: string }[] = [
      { name: "the source key", patch: { source: { key: "uploads/alice/u1/other.mov" } }, path: "spec.source" },
      { name: "the source versionId (added)", patch: { source: { versionId: "v2" } }, path: "spec.source" },
      { name: "the output", patch: { output: { prefix: "elsewhere/" } }, path: "spec.output" },
      { name: "the ladder", patch: { ladder: { renditions: [{ height: 1080 }] } }, path: "spec.ladder" },
      { name: "the formats", patch: { formats: ["mp4"] }, path: "spec.formats" },
      { name: "thumbnails", patch: { thumbnails: false }, path: "spec.thumbnails" },
      { name: "maxAttempts", patch: { maxAttempts: 9 }, path: "spec.maxAttempts" },
      { name: "deleteSourceOnSuccess", patch: { deleteSourceOnSuccess: true }, path: "spec.deleteSourceOnSuccess" },
      { name: "the owner", patch: { owner: "mallory" }, path: "spec.owner" },
      { name: "the owner (removed)", patch: { owner: null }, path: "spec.owner" },
      { name: "encoding (added)", patch: { encoding: { x264Preset: "slow" } }, path: "spec.encoding" },
      { name: "activeDeadlineSeconds (added)", patch: { activeDeadlineSeconds: 600 }, path: "spec.activeDeadlineSeconds" },
    ];
    for (const f of forbidden) {
      it(`rejects changing ${f.name}, naming ${f.path}`, async () => {
        const r = await rejection(patch(name, { spec: f.patch }));
        assert.equal(r.code, 422, r.message);
        assert.ok(r.fields.includes(f.path), `expected ${f.path} in: ${r.message}`);
        assert.match(r.message, /immutable/);
      });
    }

    it("left the stored spec untouched by the rejected patches", async () => {
      const now = await get(name);
      assert.deepEqual(now.spec.source, validSpec().source);
      assert.equal(now.spec.owner, "alice");
      assert.deepEqual(now.spec.ladder, { renditions: [{ height: 720 }] });
    });
  });

  describe("status", () => {
    const name = "status-only";
    const status = { phase: "Running", attempts: 1, progress: { percent: 42, stage: "transcoding" } };

    it("is dropped when written with the object", async () => {
      const created = await create(tj(name, validSpec(), { status }));
      assert.equal(created.status, undefined);
      const patched = await patch(name, { status });
      assert.equal(patched.status, undefined);
      assert.equal((await get(name)).status, undefined);
    });

    it("is written through the status subresource, which ignores spec changes", async () => {
      const before = await get(name);
      const after = await patchStatus(name, { status, spec: { priority: 40 } });
      assert.deepEqual(after.status, status);
      assert.equal(after.spec.priority, 0);
      assert.equal(after.metadata.generation, before.metadata.generation, "a status write must not bump generation");
    });

    it("is validated: an unknown phase is rejected naming status.phase", async () => {
      const r = await rejection(patchStatus(name, { status: { phase: "Done" } }));
      assert.equal(r.code, 422);
      assert.ok(r.fields.includes("status.phase"), r.message);
    });
  });
});
