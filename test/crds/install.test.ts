import assert from "node:assert/strict";
import { createServer } from "node:net";
import { ApiextensionsV1Api, KubeConfig } from "@kubernetes/client-node";
import { CRD_NAME } from "../../crds/index.js";
import { applyCrd, crdObject } from "../../lib/kube/index.js";
import { crdManifest } from "../../crds/generator/index.js";
import { TerminalError, TransientError } from "../../lib/errors/index.js";
import { testEnv } from "../env/index.js";
import { kubeConfig } from "./kube.js";

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe("crds: applyCrd against the real kube-apiserver", function () {
  this.timeout(60_000);

  it("crdObject() is the generated manifest, with nothing lost to client-node's typed model", () => {
    const model = crdObject();
    const rules = model.spec.versions[0]?.schema?.openAPIV3Schema?.properties?.spec?.properties?.ladder?.x_kubernetes_validations;
    assert.deepEqual(
      rules?.map((r) => r.rule),
      ["has(self.preset) != has(self.renditions)", "self == oldSelf"],
    );
    assert.deepEqual(model.spec.versions[0]?.schema?.openAPIV3Schema?.properties?.spec?.properties?.ladder?._default, { preset: "standard" });
    assert.equal(model.metadata?.name, crdManifest().metadata.name);
  });

  it("is safe to run from several processes at once", async () => {
    const results = await Promise.all([1, 2, 3, 4].map(() => applyCrd(kubeConfig())));
    for (const crd of results) assert.ok(crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True"));
  });

  it("puts the generated CRD back over an outdated one", async () => {
    await applyCrd(kubeConfig());
    const api = kubeConfig().makeApiClient(ApiextensionsV1Api);
    const current = await api.readCustomResourceDefinition({ name: CRD_NAME });
    const version = current.spec.versions[0]!;
    version.additionalPrinterColumns = version.additionalPrinterColumns?.filter((c) => c.name !== "Task");
    current.metadata!.labels = { ...current.metadata!.labels, "app.kubernetes.io/component": "outdated" };
    await api.replaceCustomResourceDefinition({ name: CRD_NAME, body: current });

    const restored = await applyCrd(kubeConfig());
    assert.equal(restored.metadata?.labels?.["app.kubernetes.io/component"], "crd");
    assert.ok(restored.spec.versions[0]?.additionalPrinterColumns?.some((c) => c.name === "Task"));
  });

  it("fails with a connection error, not a hang, when the apiserver is down", async () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "down", server: `https://127.0.0.1:${await closedPort()}`, skipTLSVerify: true }],
      users: [{ name: "u", token: "t" }],
      contexts: [{ name: "c", cluster: "down", user: "u" }],
      currentContext: "c",
    });
    const t0 = Date.now();
    await assert.rejects(
      applyCrd(kc, { timeoutMs: 2_000 }),
      (e: unknown) => e instanceof TransientError && /^applying CRD transcodejobs.media.transcoder.dev: fetch failed \(ECONNREFUSED\)$/.test(e.message),
    );
    assert.ok(Date.now() - t0 < 10_000);
  });

  it("reports a refusal (the unprivileged test user has no rights) as a terminal error with the server's reason", async () => {
    const user = new KubeConfig();
    user.loadFromFile(testEnv().kube.userKubeconfigPath);
    await assert.rejects(applyCrd(user, { timeoutMs: 2_000 }), (e: unknown) => e instanceof TerminalError && /forbidden/i.test(e.message));
  });
});
