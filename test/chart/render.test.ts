/**
 * The chart rendered by the real helm: lint --strict, template with the default and the full values, a server-side
 * dry run with strict field validation against the test kube-apiserver, the values schema's refusals as helm reports
 * them, what each ConfigMap, Deployment and Role holds, and kube-score.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { V1ClusterRole, V1ConfigMap, V1CustomResourceDefinition, V1Deployment, V1Ingress, V1Role, V1Service } from "@kubernetes/client-node";
import { CRD_NAME } from "../../crds/index.js";
import { crdManifest, TENANCY_POLICY_NAME, tenancyPolicyManifest } from "../../crds/generator/index.js";
import { COMPONENT_NAMES, COMPONENTS, SECRET_SETTINGS } from "../../scripts/chart/components.js";
import { KUBE_SCORE_ACCEPTED } from "../../scripts/chart/kube-score.js";
import { RULES } from "../../scripts/chart/rbac.js";
import { binaries } from "../../stack/versions.js";
import { testEnv } from "../env/index.js";
import { CHART, find, helm, KUBE_VERSION, kubectl, ok, parseObjects, run, template, valuesFile, type K8sObject } from "./support.js";
import { fullValues } from "./values.js";

const SERVICE_MONITOR_CRD = join(import.meta.dirname, "fixtures/servicemonitors.monitoring.coreos.com.yaml");
const suffix = randomBytes(3).toString("hex");
const releaseNs = `chart-render-${suffix}`;
const jobsNs = `chart-jobs-${suffix}`;

const names = (objects: K8sObject[]) => objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
const containerOf = (d: V1Deployment) => d.spec!.template.spec!.containers[0]!;

describe("chart: rendered by helm, checked by the apiserver and kube-score", function () {
  this.timeout(180_000);
  let defaults: K8sObject[];
  let full: K8sObject[];
  let defaultText: string;
  let fullText: string;
  let fullFile: string;

  before(async () => {
    fullFile = valuesFile(fullValues({ jobsNamespace: jobsNs }));
    defaultText = await template([], { namespace: releaseNs });
    fullText = await template([fullFile], { namespace: releaseNs });
    defaults = parseObjects(defaultText);
    full = parseObjects(fullText);
    const kc = testEnv().kube.kubeconfigPath;
    for (const ns of [releaseNs, jobsNs]) await ok(binaries.kubectl, ["--kubeconfig", kc, "create", "namespace", ns]);
    await ok(binaries.kubectl, ["--kubeconfig", kc, "apply", "--server-side", "-f", SERVICE_MONITOR_CRD]);
    await ok(binaries.kubectl, ["--kubeconfig", kc, "wait", "--for=condition=Established", "crd/servicemonitors.monitoring.coreos.com", "--timeout=30s"]);
  });

  it("helm lint --strict passes with the default values and with the full values", async () => {
    for (const files of [[], [fullFile]]) {
      const r = await helm(["lint", "--strict", "--kube-version", KUBE_VERSION, CHART, ...files.flatMap((f) => ["-f", f])]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    }
  });

  it("renders the default set of objects, and every optional part with the full values", () => {
    const perComponent = (kinds: string[], components: string[]) => components.flatMap((c) => kinds.map((k) => `${k}/tcp-transcode-control-plane-${c}`));
    assert.deepEqual(
      names(defaults),
      [
        `CustomResourceDefinition/${CRD_NAME}`,
        `ValidatingAdmissionPolicy/${TENANCY_POLICY_NAME}`,
        "ValidatingAdmissionPolicyBinding/tcp-transcode-control-plane-tenancy",
        "ConfigMap/tcp-transcode-control-plane-tenancy",
        ...perComponent(["ConfigMap", "Deployment", "PodDisruptionBudget", "ServiceAccount", "Role", "RoleBinding"], ["operator", "bridge", "api"]),
        "Role/tcp-transcode-control-plane-operator-leader-election",
        "RoleBinding/tcp-transcode-control-plane-operator-leader-election",
        "Service/tcp-transcode-control-plane-api",
      ].sort(),
    );
    const kinds = new Set(full.map((o) => o.kind));
    for (const k of ["Ingress", "ServiceMonitor", "NetworkPolicy"]) assert.ok(kinds.has(k), `${k} rendered`);
    assert.equal(full.filter((o) => o.kind === "Deployment").length, 4, "the upload webhook too");
    assert.equal(full.filter((o) => o.kind === "NetworkPolicy").length, 4);
    assert.equal(full.filter((o) => o.kind === "Service").length, 5, "operator, bridge and the API's internal port get a Service for the ServiceMonitor");
    assert.ok(!full.some((o) => o.kind === "Secret") && !defaults.some((o) => o.kind === "Secret"), "the chart never renders a Secret");
  });

  it("the CRD is the object crds/ generates, behind crds.keep", () => {
    const crd = find<V1CustomResourceDefinition>(defaults, "CustomResourceDefinition", CRD_NAME);
    assert.deepEqual(crd.spec, crdManifest().spec);
    assert.deepEqual(crd.spec, (parse(readFileSync(join(CHART, "../../crds/generated", `${CRD_NAME}.yaml`), "utf8")) as V1CustomResourceDefinition).spec);
    assert.equal(crd.metadata?.annotations?.["helm.sh/resource-policy"], "keep");
    assert.equal(find(full, "CustomResourceDefinition", CRD_NAME).metadata.annotations, undefined, "crds.keep=false");
  });

  it("the tenancy policy is the object crds/ generates; its parameters come from the operator's settings, bound to jobsNamespace", () => {
    const policy = find<{ spec: unknown }>(defaults, "ValidatingAdmissionPolicy", TENANCY_POLICY_NAME);
    assert.deepEqual(policy.spec, tenancyPolicyManifest().spec);
    const params = find<V1ConfigMap>(full, "ConfigMap", "tcp-tenancy");
    const operatorEnv = find<V1ConfigMap>(full, "ConfigMap", "tcp-operator").data ?? {};
    assert.equal(params.data?.uploadsBuckets?.split(",")[0], operatorEnv.UPLOADS_BUCKET);
    assert.equal(params.data?.outputsBucket, operatorEnv.OUTPUTS_BUCKET);
    assert.equal(params.data?.uploadsPrefix, operatorEnv.UPLOADS_PREFIX ?? "uploads/");
    // Only the API's and the bridge's service accounts may make jobs on a user's behalf (spec.owner).
    assert.deepEqual(params.data?.ownerDelegates?.split(",").sort(), [`system:serviceaccount:${releaseNs}:tcp-bridge`, `system:serviceaccount:${releaseNs}:transcode-api`]);
    const binding = find<{ spec: { paramRef: { name: string; namespace: string }; matchResources: { namespaceSelector?: { matchExpressions: { values: string[] }[] } } } }>(full, "ValidatingAdmissionPolicyBinding", "tcp-tenancy");
    assert.deepEqual(binding.spec.paramRef, { name: "tcp-tenancy", namespace: releaseNs, parameterNotFoundAction: "Deny" });
    assert.deepEqual(binding.spec.matchResources.namespaceSelector?.matchExpressions[0]?.values, [jobsNs]);
  });

  it("kubectl apply --dry-run=server --validate=strict accepts both renders", async () => {
    const kc = testEnv().kube.kubeconfigPath;
    for (const [what, text] of [["default", defaultText], ["full", fullText]] as const) {
      const file = join(testEnv().tmpDir, `chart-${what}-${suffix}.yaml`);
      writeFileSync(file, text);
      const r = await kubectl(kc, ["apply", "--dry-run=server", "--validate=strict", "-f", file]);
      assert.equal(r.code, 0, `${what}: ${r.stderr}`);
      assert.ok(r.stdout.split("\n").filter((l) => l.includes("(server dry run)")).length === parseObjects(text).length, r.stdout);
    }
  });

  describe("the values schema refuses a wrong value, naming it", () => {
    const refusals: [string, Record<string, unknown> | string[], RegExp][] = [
      ["replicas as a string", ["--set-string", "operator.replicas=2"], /operator\/replicas.*(got string, want integer|expected integer)/is],
      ["an unknown key under operator", { operator: { replica: 2 } }, /\/operator.*additional properties 'replica' not allowed/is],
      ["a secret setting in env", { operator: { env: { MONGODB_URL: "mongodb://user:pw@db" } } }, /\/operator\/env.*additional properties 'MONGODB_URL' not allowed/is],
      ["a setting the bridge does not read", { bridge: { env: { MAX_CONCURRENT_TASKS: 5 } } }, /\/bridge\/env.*'MAX_CONCURRENT_TASKS' not allowed/is],
      ["a setting the chart sets itself", { operator: { env: { LEASE_NAMESPACE: "x" } } }, /\/operator\/env.*'LEASE_NAMESPACE' not allowed/is],
      ["a level pino does not know", { env: { LOG_LEVEL: "verbose" } }, /\/env\/LOG_LEVEL.*value must be one of/is],
      ["an integer setting out of range", { operator: { env: { MAX_CONCURRENT_TASKS: 0 } } }, /\/operator\/env\/MAX_CONCURRENT_TASKS.*minimum/is],
    ];
    for (const [what, values, message] of refusals) {
      it(`helm install refuses ${what}`, async () => {
        const args = Array.isArray(values) ? values : ["-f", valuesFile(values)];
        // A dry run against the apiserver: nothing is created even if the schema let the value through.
        const r = await helm(["install", `refused-${suffix}`, CHART, "-n", releaseNs, "--dry-run=server", ...args], testEnv().kube.kubeconfigPath);
        assert.notEqual(r.code, 0, `accepted:\n${r.stdout.slice(0, 500)}`);
        assert.match(r.stderr, /values don't meet the specifications of the schema/);
        assert.match(r.stderr, message);
        assert.ok(!r.stderr.includes("user:pw"), "the secret value is not echoed");
      });
    }

    it("helm refuses two operators without leader election, with the template's reason", async () => {
      const r = await helm(["template", "x", CHART, "--kube-version", KUBE_VERSION, "--set", "operator.leaderElection=false"]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /operator.leaderElection=false needs operator.replicas <= 1/);
    });
  });

  it("NOTES.txt: a warning for each required setting nothing supplies, a first TranscodeJob, how to reach the API", async () => {
    // A dry run against the apiserver renders NOTES; the shared apiserver's CRD is not the release's, so it is left out.
    const r = await helm(["install", `notes-${suffix}`, CHART, "-n", releaseNs, "--dry-run=server", "--set", "crds.enabled=false"], testEnv().kube.kubeconfigPath);
    assert.equal(r.code, 0, r.stderr);
    const notes = r.stdout.slice(r.stdout.indexOf("NOTES:"));
    assert.match(notes, /WARNING: the operator will refuse to start \(exit 78\): nothing sets ECS_CLUSTER, ECS_SUBNETS, ECS_TASK_DEFINITION, MONGODB_URL, OUTPUTS_BUCKET, REDIS_URL, TASK_REDIS_SECRET_ARN, UPLOADS_BUCKET/);
    assert.match(notes, /WARNING: the bridge will refuse to start \(exit 78\): nothing sets OUTPUTS_BUCKET, REDIS_URL, UPLOADS_BUCKET/);
    assert.match(notes, /WARNING: the api will refuse to start \(exit 78\): nothing sets API_SESSION_KEYS, MONGODB_URL, OUTPUTS_BUCKET, REDIS_URL, UPLOADS_BUCKET/);
    assert.match(notes, /The TranscodeJob CRD is not part of this release/);
    assert.match(notes, new RegExp(`kind: TranscodeJob[\\s\\S]*namespace: ${releaseNs}`));
    assert.match(notes, new RegExp(`port-forward svc/notes-${suffix}-transcode-control-plane-api 8080:80`));
    const quiet = await helm(["install", `notes-${suffix}`, CHART, "-n", releaseNs, "--dry-run=server", "-f", fullFile, "--set", "crds.enabled=false"], testEnv().kube.kubeconfigPath);
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.doesNotMatch(quiet.stdout, /WARNING: the/, "the full values supply every required setting");
    assert.match(quiet.stdout, /https:\/\/transcode\.example\.com\/openapi\.json/);
    assert.match(quiet.stdout, /bucket: example-uploads/);
  });

  it("each ConfigMap holds only the settings its component reads, the chart's own among them, numbers as written", () => {
    const data = (c: string) => find<V1ConfigMap>(full, "ConfigMap", `tcp-${c}`).data!;
    const op = data("operator");
    assert.deepEqual(
      { LAUNCHER: op.LAUNCHER, JOBS_NAMESPACE: op.JOBS_NAMESPACE, LEASE_NAMESPACE: op.LEASE_NAMESPACE, LEASE_NAME: op.LEASE_NAME, LEADER_ELECTION: op.LEADER_ELECTION, WATCH_ALL_NAMESPACES: op.WATCH_ALL_NAMESPACES },
      { LAUNCHER: "ecs", JOBS_NAMESPACE: jobsNs, LEASE_NAMESPACE: releaseNs, LEASE_NAME: "tcp-operator", LEADER_ELECTION: "true", WATCH_ALL_NAMESPACES: "false" },
    );
    assert.equal(op.OUTPUT_MAX_BYTES, "68719476736", "a large YAML number is not written as a float");
    assert.equal(op.AWS_REGION, "eu-west-1", "from the top-level env");
    assert.equal(op.UPLOADS_BUCKET, "example-uploads", "the operator reads it (the tenancy rule before launch)");
    assert.equal(data("upload-webhook").OUTPUTS_BUCKET, undefined, "the upload webhook does not read OUTPUTS_BUCKET: not in its ConfigMap");
    assert.equal(data("api").API_TRUST_PROXY, "true");
    assert.equal(data("bridge").BRIDGE_MAX_DELIVERIES, "10");
    assert.equal(data("upload-webhook").HTTP_PORT, "8080");
    // Every component's ConfigMap (the tenancy policy's parameters are the other one, tested above).
    for (const cm of [...full, ...defaults].filter((o) => o.kind === "ConfigMap" && !o.metadata.name.endsWith("-tenancy")) as unknown as V1ConfigMap[]) {
      const process = cm.metadata!.labels!["app.kubernetes.io/component"]!;
      const component = COMPONENT_NAMES.find((c) => COMPONENTS[c].process === process)!;
      const reads = Object.keys(COMPONENTS[component].settings);
      assert.deepEqual(Object.keys(cm.data ?? {}).filter((k) => !reads.includes(k)), [], `${cm.metadata!.name} holds only what ${process} reads`);
      assert.deepEqual(Object.keys(cm.data ?? {}).filter((k) => (SECRET_SETTINGS as readonly string[]).includes(k)), [], "no secret setting in a ConfigMap");
    }
  });

  it("each Deployment: its command, secrets by reference, the restricted profile, probes, the stop budget", () => {
    for (const d of full.filter((o) => o.kind === "Deployment") as unknown as V1Deployment[]) {
      const pod = d.spec!.template.spec!;
      const c = containerOf(d);
      assert.deepEqual(pod.securityContext, { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, seccompProfile: { type: "RuntimeDefault" } });
      assert.deepEqual(c.securityContext, {
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        runAsUser: 10001,
        runAsGroup: 10001,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
      });
      assert.equal(c.livenessProbe?.httpGet?.path, "/healthz");
      assert.equal(c.image, "registry.example.com/transcode-cp/control-plane:0.1.0");
      assert.equal(pod.terminationGracePeriodSeconds, 45, "SHUTDOWN_TIMEOUT_MS=40000 plus 5 s");
      assert.ok(!JSON.stringify(d).match(/mongodb:\/\/|redis:\/\//), "no secret value");
      assert.deepEqual(pod.tolerations?.map((t) => t.key), ["kwok.x-k8s.io/node"]);
    }
    const op = find<V1Deployment>(full, "Deployment", "tcp-operator");
    assert.deepEqual(containerOf(op).args, ["--max-semi-space-size=2", "--optimize-for-size", "/app/operator.mjs"]);
    assert.deepEqual(containerOf(op).envFrom, [{ configMapRef: { name: "tcp-operator" } }, { secretRef: { name: "tcp-operator" } }]);
    // No TASK_REDIS_URL: on ECS the tasks' Redis URL is the task definition's secret (TASK_REDIS_SECRET_ARN, in env).
    assert.deepEqual(containerOf(op).env, [{ name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }]);
    const api = find<V1Deployment>(full, "Deployment", "tcp-api");
    assert.equal(api.spec!.template.spec!.serviceAccountName, "transcode-api");
    assert.deepEqual(containerOf(api).envFrom, [{ configMapRef: { name: "tcp-api" } }], "no existingSecret: only secretKeyRefs");
    assert.deepEqual(containerOf(api).env?.map((e) => e.name), ["API_SESSION_KEYS", "MONGODB_URL", "REDIS_URL"]);
    assert.deepEqual(api.spec!.template.spec!.topologySpreadConstraints?.[0]?.labelSelector?.matchLabels?.["app.kubernetes.io/component"], "api");
    const webhook = find<V1Deployment>(full, "Deployment", "tcp-upload-webhook");
    assert.equal(webhook.spec!.template.spec!.automountServiceAccountToken, false, "the webhook never calls the apiserver");
    assert.equal(containerOf(webhook).readinessProbe?.httpGet?.path, "/healthz");
    assert.equal(containerOf(find<V1Deployment>(defaults, "Deployment", "tcp-transcode-control-plane-operator")).image, "localhost/transcode-cp/control-plane:0.1.0");
  });

  it("the API's internal port (probes, /metrics) is a container port of its own that neither its Service nor its Ingress reaches; the ServiceMonitor scrapes it", async () => {
    for (const [objects, prefix] of [[defaults, "tcp-transcode-control-plane"], [full, "tcp"]] as const) {
      const api = containerOf(find<V1Deployment>(objects, "Deployment", `${prefix}-api`));
      assert.deepEqual(api.ports, [
        { name: "http", containerPort: 8080, protocol: "TCP" },
        { name: "internal", containerPort: 8081, protocol: "TCP" },
      ]);
      assert.deepEqual([api.startupProbe, api.livenessProbe, api.readinessProbe].map((p) => p?.httpGet), [
        { path: "/healthz", port: "internal" },
        { path: "/healthz", port: "internal" },
        { path: "/readyz", port: "internal" },
      ]);
      assert.equal(find<V1ConfigMap>(objects, "ConfigMap", `${prefix}-api`).data?.INTERNAL_HTTP_PORT, "8081");
      const service = find<V1Service>(objects, "Service", `${prefix}-api`);
      assert.deepEqual(service.spec?.ports?.map((p) => p.targetPort), ["http"], "the public Service routes to the http port only");
      assert.equal(service.metadata?.labels?.["media.transcoder.dev/metrics"], undefined, "the ServiceMonitor never selects the public Service");
      // The operator's only port stays http, probes and all.
      const op = containerOf(find<V1Deployment>(objects, "Deployment", `${prefix}-operator`));
      assert.deepEqual(op.ports?.map((p) => p.name), ["http"]);
      assert.equal(op.readinessProbe?.httpGet?.port, "http");
    }
    assert.ok(!defaults.some((o) => o.metadata.name.endsWith("-api-internal")), "no internal Service without the ServiceMonitor");
    const ingress = find<V1Ingress>(full, "Ingress", "tcp-api");
    assert.deepEqual(ingress.spec?.rules?.flatMap((r) => r.http!.paths.map((p) => p.backend.service)), [{ name: "tcp-api", port: { name: "http" } }]);
    const internal = find<V1Service>(full, "Service", "tcp-api-internal");
    assert.equal(internal.spec?.type, "ClusterIP");
    assert.deepEqual(internal.spec?.ports, [{ name: "internal", port: 8081, targetPort: "internal", protocol: "TCP" }]);
    assert.deepEqual(internal.spec?.selector, find<V1Service>(full, "Service", "tcp-api").spec?.selector);
    const monitor = find<{ spec: { selector: { matchLabels: Record<string, string> }; endpoints: { port: string; path: string }[] } }>(full, "ServiceMonitor", "tcp");
    const selected = (full.filter((o) => o.kind === "Service") as unknown as V1Service[]).filter((s) =>
      Object.entries(monitor.spec.selector.matchLabels).every(([k, v]) => s.metadata?.labels?.[k] === v),
    );
    assert.deepEqual(selected.map((s) => s.metadata!.name).sort(), ["tcp-api-internal", "tcp-bridge", "tcp-operator", "tcp-upload-webhook"]);
    assert.deepEqual(monitor.spec.endpoints.map((e) => `${e.port} ${e.path}`), ["http /metrics", "internal /metrics"]);
    // Parsed YAML, not client-node's model: the peers are under "from".
    const policy = find<{ spec: { ingress: { ports: { port: string }[]; from?: unknown }[] } }>(full, "NetworkPolicy", "tcp-api");
    assert.deepEqual(policy.spec.ingress.map((r) => [r.ports.map((p) => p.port), r.from]), [
      [["http"], fullValues({ jobsNamespace: jobsNs }).networkPolicy!.apiFrom],
      [["internal"], fullValues({ jobsNamespace: jobsNs }).networkPolicy!.metricsFrom],
    ]);
    const same = await helm(["template", "x", CHART, "--kube-version", KUBE_VERSION, "--set", "api.internalPort=8080"]);
    assert.notEqual(same.code, 0);
    assert.match(same.stderr, /api.internalPort must differ from api.containerPort/);
  });

  it("a changed setting changes the pod template (checksum/config), so helm upgrade rolls the pods", async () => {
    const checksum = (objects: K8sObject[], name: string) => find<V1Deployment>(objects, "Deployment", name).spec!.template.metadata!.annotations!["checksum/config"];
    const changed = parseObjects(await template([fullFile], { namespace: releaseNs, set: ["operator.env.LOG_LEVEL=debug"] }));
    assert.notEqual(checksum(changed, "tcp-operator"), checksum(full, "tcp-operator"));
    assert.equal(checksum(changed, "tcp-api"), checksum(full, "tcp-api"));
  });

  it("RBAC: the generated rules, in jobsNamespace; a ClusterRole only for an operator watching every namespace", async () => {
    const role = (objects: K8sObject[], kind: string, name: string) => find<V1Role | V1ClusterRole>(objects, kind, name);
    assert.deepEqual(role(full, "Role", "tcp-operator").rules, RULES.operator);
    assert.equal(role(full, "Role", "tcp-operator").metadata!.namespace, jobsNs);
    assert.deepEqual(role(full, "Role", "tcp-api").rules, RULES.api);
    assert.deepEqual(role(full, "Role", "tcp-bridge").rules, RULES.bridge);
    assert.equal(role(full, "Role", "tcp-operator-leader-election").metadata!.namespace, releaseNs);
    assert.deepEqual(role(full, "Role", "tcp-operator-leader-election").rules, RULES.leaderElection);
    assert.ok(!full.some((o) => o.kind.startsWith("ClusterRole")));
    const all = parseObjects(await template([fullFile], { namespace: releaseNs, set: ["operator.watchAllNamespaces=true"] }));
    assert.deepEqual(role(all, "ClusterRole", "tcp-operator").rules, RULES.operator);
    assert.equal(find(all, "ClusterRoleBinding", "tcp-operator").metadata.namespace, undefined);
    assert.equal(find<V1ConfigMap>(all, "ConfigMap", "tcp-operator").data!.WATCH_ALL_NAMESPACES, "true");
    assert.ok(!all.some((o) => o.kind === "Role" && o.metadata.name === "tcp-operator"));
  });

  it("kube-score: no critical finding besides the accepted ones (README.md, scripts/chart/kube-score.ts)", async () => {
    for (const [what, text, release] of [["default", defaultText, "tcp-transcode-control-plane-"], ["full", fullText, "tcp-"]] as const) {
      const file = join(testEnv().tmpDir, `kube-score-${what}-${suffix}.yaml`);
      writeFileSync(file, text);
      const r = await run(binaries.kubeScore, ["score", "-o", "json", file]);
      const results = JSON.parse(r.stdout) as { type_meta: { kind: string }; object_meta: { name: string }; checks: { check: { id: string }; grade: number; skipped: boolean }[] }[];
      const critical = results.flatMap((o) =>
        // Grade 1 is kube-score's CRITICAL; optional checks (not enabled) come back skipped.
        o.checks.filter((c) => c.grade === 1 && !c.skipped).map((c) => ({ check: c.check.id, object: `${o.type_meta.kind}/${o.object_meta.name.replace(release, "")}` })),
      );
      const unexplained = critical.filter(
        (f) => !KUBE_SCORE_ACCEPTED.some((a) => a.check === f.check && a.objects.includes(f.object) && (what === "default" || !a.defaultsOnly)),
      );
      assert.deepEqual(unexplained, [], `${what}: critical kube-score findings without a reason`);
      console.log(`      kube-score, ${what} values: ${critical.length} critical findings, all accepted (${[...new Set(critical.map((f) => f.check))].join(", ") || "none"})`);
    }
  });

  after(async () => {
    const kc = testEnv().kube.kubeconfigPath;
    await run(binaries.kubectl, ["--kubeconfig", kc, "delete", "-f", SERVICE_MONITOR_CRD, "--wait=false"]);
    for (const ns of [releaseNs, jobsNs]) await run(binaries.kubectl, ["--kubeconfig", kc, "delete", "namespace", ns, "--wait=false"]);
  });
});
