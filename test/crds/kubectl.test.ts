import assert from "node:assert/strict";
import { FILENAME_ANNOTATION } from "../../crds/index.js";
import { applyCrd } from "../../lib/kube/index.js";
import { repoRoot, validSpec } from "./examples.js";
import { createNamespace, customObjects, deleteNamespace, kubeConfig, kubectl, kubectlWithInput, mergePatch, ref, tj } from "./kube.js";

/** kubectl's table output as rows of cells, cut at the header's column offsets (an empty cell prints as blanks). */
function table(out: string): string[][] {
  const lines = out.replace(/\n+$/, "").split("\n");
  const starts = [...(lines[0] ?? "").matchAll(/\S+/g)].map((m) => m.index);
  return lines.map((line) => starts.map((s, i) => line.slice(s, starts[i + 1]).trim()));
}

describe("crds: kubectl experience against the real kube-apiserver", function () {
  this.timeout(60_000);
  let ns = "";

  before(async () => {
    await applyCrd(kubeConfig());
    ns = await createNamespace("crds-kubectl");
    const api = customObjects();
    const mk = async (name: string, spec: Record<string, unknown>, status: Record<string, unknown>, annotations: Record<string, string> = {}) => {
      const body = tj(name, spec);
      await api.createNamespacedCustomObject({ ...ref(ns), body: { ...body, metadata: { ...body.metadata, annotations } } });
      await api.patchNamespacedCustomObjectStatus({ ...ref(ns), name, body: { status } }, mergePatch);
    };
    await mk(
      "clip-running",
      { ...validSpec(), owner: "alice" },
      {
        phase: "Running",
        attempts: 1,
        progress: { percent: 42.5, stage: "transcoding" },
        startedAt: new Date(Date.now() - 90_000).toISOString(),
        duration: "1m30s",
        taskRef: { launcher: "ecs", id: "arn:aws:ecs:eu-west-1:123456789012:task/tc/0f3c", attempt: 1 },
      },
      { [FILENAME_ANNOTATION]: "Holiday clip (final).mov" },
    );
    await mk(
      "clip-failed",
      { ...validSpec(), owner: "bob" },
      { phase: "Failed", attempts: 3, reason: "BackoffLimitExceeded", message: "3 attempts failed", duration: "4m2s" },
    );
  });
  after(async () => {
    if (ns) await deleteNamespace(ns);
  });

  it("`kubectl get tj` shows Phase, Progress, Attempts, Reason, the uploaded file's name and Age", async () => {
    const rows = table(await kubectl("get", "tj", "-n", ns));
    assert.deepEqual(rows[0], ["NAME", "PHASE", "PROGRESS", "ATTEMPTS", "REASON", "POSITION", "ADMISSION", "FILE", "AGE"]);
    const byName = new Map(rows.slice(1).map((r) => [r[0], r]));
    const pick = (r: string[] | undefined, ...cols: string[]) => cols.map((c) => r?.[rows[0]!.indexOf(c)]);
    const shown = ["NAME", "PHASE", "PROGRESS", "ATTEMPTS", "REASON", "FILE"];
    assert.deepEqual(pick(byName.get("clip-running"), ...shown), ["clip-running", "Running", "42.5", "1", "", "Holiday clip (final).mov"]);
    assert.deepEqual(pick(byName.get("clip-failed"), ...shown), ["clip-failed", "Failed", "", "3", "BackoffLimitExceeded", ""]);
    for (const r of rows.slice(1)) assert.match(pick(r, "AGE")[0] ?? "", /^\d+s$/);
  });

  it("`kubectl get tj -o wide` adds Started, Duration and Task", async () => {
    const rows = table(await kubectl("get", "tj", "-n", ns, "-o", "wide"));
    assert.deepEqual(rows[0], ["NAME", "PHASE", "PROGRESS", "ATTEMPTS", "REASON", "POSITION", "ADMISSION", "FILE", "AGE", "STARTED", "DURATION", "TASK"]);
    const pick = (r: string[] | undefined, ...cols: string[]) => cols.map((c) => r?.[rows[0]!.indexOf(c)]);
    const running = rows.find((r) => r[0] === "clip-running")!;
    assert.match(pick(running, "STARTED")[0] ?? "", /^(89|9\d)s$|^\d+m\d*s?$/);
    assert.deepEqual(pick(running, "DURATION", "TASK"), ["1m30s", "arn:aws:ecs:eu-west-1:123456789012:task/tc/0f3c"]);
    const failed = rows.find((r) => r[0] === "clip-failed")!;
    assert.deepEqual(pick(failed, "STARTED", "DURATION", "TASK"), ["", "4m2s", ""]);
  });

  it("lists jobs under the short name, the full names and the transcoder category", async () => {
    for (const resource of ["tj", "transcodejob", "transcodejobs.media.transcoder.dev", "transcoder"]) {
      const names = (await kubectl("get", resource, "-n", ns, "-o", "name")).trim().split("\n").sort();
      assert.deepEqual(names, ["transcodejob.media.transcoder.dev/clip-failed", "transcodejob.media.transcoder.dev/clip-running"], resource);
    }
  });

  it("filters on the server by owner and phase (selectable fields)", async () => {
    assert.equal((await kubectl("get", "tj", "-n", ns, "-o", "name", "--field-selector", "spec.owner=bob")).trim(), "transcodejob.media.transcoder.dev/clip-failed");
    assert.equal((await kubectl("get", "tj", "-n", ns, "-o", "name", "--field-selector", "status.phase=Running")).trim(), "transcodejob.media.transcoder.dev/clip-running");
  });

  it("`kubectl apply` of a bad spec fails at once, naming every bad field, and creates nothing", async () => {
    const manifest = JSON.stringify(tj("bad-spec", { ...validSpec(), priority: 99, ladder: { renditions: [{ height: 720 }, { height: 720 }] }, colour: "blue" }));
    const r = await kubectlWithInput(manifest, "apply", "-n", ns, "-f", "-");
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /spec\.colour/);
    const strict = await kubectlWithInput(manifest.replace(',"colour":"blue"', ""), "apply", "-n", ns, "-f", "-");
    assert.notEqual(strict.code, 0);
    assert.match(strict.stderr, /spec\.priority: Invalid value: 99: spec\.priority in body should be less than or equal to 50/);
    assert.match(strict.stderr, /spec\.ladder\.renditions: Invalid value: .*rendition heights must be unique/);
    const names = (await kubectl("get", "tj", "-n", ns, "-o", "name")).trim().split("\n");
    assert.ok(!names.includes("transcodejob.media.transcoder.dev/bad-spec"));
  });

  it("`kubectl apply` of the examples works and `kubectl get -o yaml` shows the defaults", async () => {
    const r = await kubectlWithInput("", "apply", "-n", ns, "-f", `${repoRoot}/examples/`);
    assert.equal(r.code, 0, r.stderr);
    const minimal = JSON.parse(await kubectl("get", "tj", "holiday-clip", "-n", ns, "-o", "json")) as { spec: Record<string, unknown> };
    assert.deepEqual(minimal.spec.formats, ["hls", "mp4"]);
    assert.equal(minimal.spec.maxAttempts, 3);
  });
});
