/**
 * The chart's release lifecycle on a cluster whose pods become Ready (its own kube-apiserver, kube-controller-manager,
 * kube-scheduler and kwok with two fake nodes): helm install --wait into a namespace that enforces the 'restricted'
 * Pod Security Standard, RBAC checked by impersonating each service account, helm upgrade (a changed CRD included),
 * helm rollback, and helm uninstall with and without crds.keep. kwok runs no container: test/chart/podman.test.ts runs
 * the same Deployments' containers for real.
 */
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { V1ConfigMap, V1CustomResourceDefinition, V1Deployment, V1Pod } from "@kubernetes/client-node";
import { CRD_NAME, GROUP, PLURAL } from "../../crds/index.js";
import { crdManifest } from "../../crds/generator/index.js";
import { CHART_DIR, CRD_TEMPLATE, crdTemplate } from "../../scripts/chart/render.js";
import { startCluster, type Cluster } from "../../stack/index.js";
import { CHART, helm, kubectl, refreshDiscovery, valuesFile } from "./support.js";
import { fullValues } from "./values.js";

const NS = "transcode-system";
const JOBS = "media";
const RELEASE = "tcp";
const SERVICE_MONITOR_CRD = join(import.meta.dirname, "fixtures/servicemonitors.monitoring.coreos.com.yaml");
const PRINTER_COLUMN = "Task";

/** The chart as a previous version: the same, except that its CRD lacks the "Task" printer column. */
function previousChart(): string {
  const dir = join(mkdtempSync(join(tmpdir(), "tcp-chart-previous-")), "transcode-control-plane");
  cpSync(CHART, dir, { recursive: true });
  const crd = crdManifest();
  const version = crd.spec.versions[0]!;
  const older = { ...crd, spec: { ...crd.spec, versions: [{ ...version, additionalPrinterColumns: version.additionalPrinterColumns.filter((c) => c.name !== PRINTER_COLUMN) }] } };
  writeFileSync(join(dir, CRD_TEMPLATE.slice(CHART_DIR.length + 1)), crdTemplate(older));
  return dir;
}

describe("chart: install, upgrade, rollback, uninstall on a cluster (apiserver + controller-manager + scheduler + kwok)", function () {
  this.timeout(300_000);
  let cluster: Cluster;
  let kc: string;
  const k = async (...args: string[]) => {
    const r = await kubectl(kc, args);
    assert.equal(r.code, 0, `kubectl ${args.join(" ")}:\n${r.stderr}`);
    return r.stdout;
  };
  const json = async <T>(...args: string[]) => JSON.parse(await k("get", ...args, "-o", "json")) as T;
  const h = async (...args: string[]) => {
    const r = await helm(args, kc);
    assert.equal(r.code, 0, `helm ${args.join(" ")}:\n${r.stderr}\n${r.stdout}`);
    return r.stdout;
  };
  const values = (overrides: Record<string, unknown> = {}) => [valuesFile({ ...fullValues({ jobsNamespace: JOBS }), ...overrides })];
  const printerColumns = async () => (await json<V1CustomResourceDefinition>("crd", CRD_NAME)).spec.versions[0]!.additionalPrinterColumns?.map((c) => c.name);

  before(async () => {
    const t0 = Date.now();
    cluster = await startCluster();
    kc = cluster.kube.kubeconfigPath;
    console.log(`      cluster up in ${Date.now() - t0} ms (logs: ${cluster.logDir})`);
    for (const ns of [NS, JOBS]) {
      await k("create", "namespace", ns);
      await k("label", "namespace", ns, "pod-security.kubernetes.io/enforce=restricted", "pod-security.kubernetes.io/enforce-version=latest");
    }
    await k("apply", "--server-side", "-f", SERVICE_MONITOR_CRD);
    // The Secrets the values name (no container reads them here; kwok starts none).
    for (const [name, key] of [["tcp-operator", "MONGODB_URL"], ["tcp-bridge", "REDIS_URL"], ["tcp-api", "MONGODB_URL"], ["tcp-api-sessions", "keys"], ["tcp-upload-webhook", "REDIS_URL"]]) {
      await k("-n", NS, "create", "secret", "generic", name!, `--from-literal=${key}=placeholder`);
    }
  });

  after(async () => {
    await cluster?.stop();
  });

  it("the namespace enforces 'restricted' (a pod running as root is refused)", async () => {
    const r = await kubectl(kc, ["-n", NS, "run", "root-pod", "--image=busybox", "--restart=Never", "--overrides", JSON.stringify({ spec: { securityContext: { runAsUser: 0 } } })]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /violates PodSecurity "restricted:latest"/);
  });

  it("helm install --wait: every Deployment Available, replicas spread over both nodes, the CRD installed", async () => {
    const t0 = Date.now();
    const out = await h("install", RELEASE, previousChart(), "-n", NS, "--wait", "--timeout", "120s", ...values().flatMap((f) => ["-f", f]));
    console.log(`      helm install --wait: ${Date.now() - t0} ms`);
    assert.match(out, /STATUS: deployed/);
    assert.match(out, /kubectl apply -f - <<'EOF'/, "NOTES show a first TranscodeJob");
    assert.match(out, /bucket: example-uploads/, "with the configured bucket");
    assert.doesNotMatch(out, /WARNING: the/, "every required setting is supplied");
    const deployments = (await json<{ items: V1Deployment[] }>("deployments", "-n", NS)).items;
    assert.deepEqual(deployments.map((d) => d.metadata!.name).sort(), ["tcp-api", "tcp-bridge", "tcp-operator", "tcp-upload-webhook"]);
    for (const d of deployments) {
      assert.equal(d.status?.availableReplicas, d.spec?.replicas, `${d.metadata!.name} available`);
      assert.ok(d.status?.conditions?.some((c) => c.type === "Available" && c.status === "True"));
    }
    const pods = (await json<{ items: V1Pod[] }>("pods", "-n", NS, "-l", "app.kubernetes.io/component=operator")).items;
    assert.deepEqual(new Set(pods.map((p) => p.spec?.nodeName)).size, 2, "the two operator replicas on two nodes");
    assert.ok(!(await printerColumns())?.includes(PRINTER_COLUMN), "the previous chart's CRD");
  });

  // RBAC, by impersonating each service account (kubectl auth can-i --as). Not a nested describe: mocha would run it
  // after every test of this one, the uninstall included.
  {
    const can = async (sa: string, verb: string, resource: string, namespace: string, subresource?: string) => {
      const r = await kubectl(kc, ["auth", "can-i", verb, resource, "-n", namespace, `--as=system:serviceaccount:${NS}:${sa}`, ...(subresource ? [`--subresource=${subresource}`] : [])]);
      assert.ok(r.code === 0 || r.code === 1, r.stderr);
      return r.code === 0;
    };
    const tj = `${PLURAL}.${GROUP}`;
    type Check = [verb: string, resource: string, namespace: string, subresource?: string];
    const cases: Record<string, { sa: string; may: Check[]; mayNot: Check[] }> = {
      operator: {
        sa: "tcp-operator",
        may: [
          ["get", tj, JOBS], ["list", tj, JOBS], ["watch", tj, JOBS], ["patch", tj, JOBS],
          ["patch", tj, JOBS, "status"], ["update", tj, JOBS, "status"],
          ["create", "events", JOBS], ["create", "events.events.k8s.io", JOBS],
          ["get", "leases.coordination.k8s.io", NS], ["create", "leases.coordination.k8s.io", NS], ["update", "leases.coordination.k8s.io", NS],
        ],
        mayNot: [
          ["delete", tj, JOBS], ["update", tj, JOBS], ["list", tj, "default"], ["list", tj, NS],
          ["get", "secrets", NS], ["get", "secrets", JOBS], ["list", "configmaps", NS], ["list", "pods", JOBS], ["create", "deployments.apps", NS],
          ["create", "leases.coordination.k8s.io", JOBS], ["delete", "leases.coordination.k8s.io", NS], ["list", "customresourcedefinitions.apiextensions.k8s.io", ""],
        ],
      },
      api: {
        sa: "transcode-api",
        may: [["create", tj, JOBS], ["get", tj, JOBS], ["list", tj, JOBS], ["watch", tj, JOBS], ["delete", tj, JOBS]],
        mayNot: [
          ["patch", tj, JOBS], ["patch", tj, JOBS, "status"], ["create", tj, "default"], ["create", tj, NS],
          ["get", "secrets", NS], ["get", "secrets", JOBS], ["create", "events", JOBS], ["get", "leases.coordination.k8s.io", NS], ["list", "pods", NS],
        ],
      },
      bridge: {
        sa: "tcp-bridge",
        may: [["create", tj, JOBS]],
        mayNot: [["get", tj, JOBS], ["list", tj, JOBS], ["delete", tj, JOBS], ["create", tj, "default"], ["get", "secrets", NS], ["get", "secrets", JOBS], ["list", "configmaps", NS]],
      },
      "upload webhook": {
        sa: "tcp-upload-webhook",
        may: [],
        mayNot: [["create", tj, JOBS], ["get", tj, JOBS], ["get", "secrets", NS], ["list", "configmaps", NS], ["get", "leases.coordination.k8s.io", NS]],
      },
    };
    for (const [component, c] of Object.entries(cases)) {
      it(`RBAC (kubectl auth can-i --as): the ${component} may ${c.may.length} things it needs, none of ${c.mayNot.length} it must not`, async () => {
        await refreshDiscovery(kc);
        for (const [verb, resource, ns, sub] of c.may) assert.equal(await can(c.sa, verb, resource, ns, sub), true, `${c.sa} may ${verb} ${resource}${sub ? `/${sub}` : ""} in ${ns}`);
        for (const [verb, resource, ns, sub] of c.mayNot) {
          assert.equal(await can(c.sa, verb, resource, ns || "default", sub), false, `${c.sa} must not ${verb} ${resource}${sub ? `/${sub}` : ""} in ${ns}`);
        }
      });
    }
  }

  it("helm upgrade with changed values rolls the changed Deployments out and upgrades the CRD", async () => {
    const before = await json<V1Deployment>("deployment", "tcp-operator", "-n", NS);
    const api = await json<V1Deployment>("deployment", "tcp-api", "-n", NS);
    const t0 = Date.now();
    const full = fullValues({ jobsNamespace: JOBS });
    const changed = values({ operator: { ...full.operator, env: { ...full.operator?.env, LOG_LEVEL: "debug" } } });
    await h("upgrade", RELEASE, CHART, "-n", NS, "--wait", "--timeout", "120s", ...changed.flatMap((f) => ["-f", f]));
    console.log(`      helm upgrade --wait: ${Date.now() - t0} ms`);
    const after = await json<V1Deployment>("deployment", "tcp-operator", "-n", NS);
    assert.equal((await json<V1ConfigMap>("configmap", "tcp-operator", "-n", NS)).data?.LOG_LEVEL, "debug");
    assert.notEqual(after.spec!.template.metadata!.annotations!["checksum/config"], before.spec!.template.metadata!.annotations!["checksum/config"]);
    assert.ok(after.metadata!.generation! > before.metadata!.generation!, "a new pod template");
    assert.equal(after.status?.updatedReplicas, 2);
    assert.equal(after.status?.availableReplicas, 2);
    const pods = (await json<{ items: V1Pod[] }>("pods", "-n", NS, "-l", "app.kubernetes.io/component=operator")).items;
    const hash = (p: V1Pod) => p.metadata!.labels!["pod-template-hash"];
    assert.equal(new Set(pods.filter((p) => !p.metadata!.deletionTimestamp).map(hash)).size, 1, "every operator pod is of the new template");
    assert.equal((await json<V1Deployment>("deployment", "tcp-api", "-n", NS)).metadata!.generation, api.metadata!.generation, "the API's template did not change");
    assert.ok((await printerColumns())?.includes(PRINTER_COLUMN), "the CRD is the chart's current one");
  });

  it("helm rollback returns the values and the CRD of revision 1", async () => {
    await h("rollback", RELEASE, "1", "-n", NS, "--wait", "--timeout", "120s");
    assert.equal((await json<V1ConfigMap>("configmap", "tcp-operator", "-n", NS)).data?.LOG_LEVEL, "info");
    assert.equal((await json<V1Deployment>("deployment", "tcp-operator", "-n", NS)).status?.availableReplicas, 2);
    assert.ok(!(await printerColumns())?.includes(PRINTER_COLUMN));
    assert.match(await h("history", RELEASE, "-n", NS), /3\s.*deployed\s+transcode-control-plane.*Rollback to 1/);
  });

  it("helm uninstall with crds.keep keeps the CRD and its TranscodeJobs; without it, both go", async () => {
    await h("upgrade", RELEASE, CHART, "-n", NS, "--wait", ...values({ crds: { enabled: true, keep: true } }).flatMap((f) => ["-f", f]));
    // The release binds the tenancy policy to its jobs namespace: the example as written names buckets this release
    // does not serve, and is refused with the field named; with the release's buckets it is a job of namespace media.
    const examplePath = join(import.meta.dirname, "../../examples/minimal.yaml");
    const refused = await kubectl(kc, ["-n", JOBS, "apply", "-f", examplePath]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /spec\.source\.bucket: must be an uploads bucket \(example-uploads\)/);
    const ours = join(mkdtempSync(join(tmpdir(), "tcp-chart-example-")), "minimal.yaml");
    writeFileSync(ours, readFileSync(examplePath, "utf8").replaceAll("bucket: uploads", "bucket: example-uploads").replaceAll("bucket: outputs", "bucket: example-outputs"));
    await k("-n", JOBS, "apply", "-f", ours);
    await h("uninstall", RELEASE, "-n", NS, "--wait");
    assert.equal((await json<{ items: unknown[] }>("deployments,serviceaccounts,roles,configmaps", "-n", NS, "-l", `app.kubernetes.io/instance=${RELEASE}`)).items.length, 0);
    assert.equal((await json<V1CustomResourceDefinition>("crd", CRD_NAME)).metadata!.name, CRD_NAME, "the CRD is kept");
    assert.equal((await json<{ items: unknown[] }>("tj", "-n", JOBS)).items.length, 1, "and its TranscodeJob");

    // A new install adopts the kept CRD (same release); uninstalled without keep, the CRD and its objects are deleted.
    await h("install", RELEASE, CHART, "-n", NS, "--wait", ...values({ crds: { enabled: true, keep: false } }).flatMap((f) => ["-f", f]));
    await h("uninstall", RELEASE, "-n", NS, "--wait");
    const gone = await kubectl(kc, ["get", "crd", CRD_NAME]);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /NotFound/);
  });
});
