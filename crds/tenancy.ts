import { OWNER_LABEL } from "./constants.js";
import type { FieldIssue } from "./parse.js";

/**
 * The tenancy rule: which objects a TranscodeJob may read, write and delete through the task's role. Defined once,
 * here, as a table of rules that each carry the TypeScript check and the CEL expression of the same check; the API,
 * the bridge, the lambda and the operator run the TypeScript half, the cluster's ValidatingAdmissionPolicy
 * (crds/generator/admission-policy.ts) the CEL half, and test/crds/tenancy.test.ts holds the two equal on the real
 * apiserver.
 *
 * Every job has one tenant. A job with spec.owner belongs to that user: it reads under
 * `<uploadsPrefix><owner>/` of an uploads bucket and writes exactly `<outputsPrefix><owner>/<job name>/` of the
 * outputs bucket. A job without spec.owner (a cluster operator's, made with kubectl) belongs to its namespace,
 * `ns:<namespace>`: it reads under `<namespacePrefix><namespace>/` of an uploads bucket and writes
 * `<namespacePrefix><namespace>/<job name>/` of the outputs bucket. The owner label mirrors spec.owner (absent
 * without one), so a label selector never finds a job for a user who does not own it.
 */
export interface TenancyPolicy {
  /** Buckets a source may be read from; the first is where users upload. */
  uploadsBuckets: readonly string[];
  /** A user's uploads: `<uploadsPrefix><owner>/<upload id>/<file name>`. Ends with "/". */
  uploadsPrefix: string;
  /** The one bucket outputs are written to; never an uploads bucket. */
  outputsBucket: string;
  /** A user's job writes `<outputsPrefix><owner>/<job name>/`. Ends with "/". */
  outputsPrefix: string;
  /** A job without spec.owner reads `<namespacePrefix><namespace>/...` and writes `<namespacePrefix><namespace>/<job name>/`. */
  namespacePrefix: string;
}

/** What the rule reads of a job: its name, namespace and owner label, and where its spec reads and writes. */
export interface TenancySubject {
  metadata?: { name?: string | undefined; namespace?: string | undefined; labels?: Record<string, string> | undefined } | undefined;
  spec: {
    source: { bucket: string; key: string };
    output: { bucket: string; prefix: string };
    owner?: string | undefined;
  };
}

export type Tenant = { kind: "user"; id: string } | { kind: "namespace"; name: string };

export function tenantOf(job: TenancySubject): Tenant {
  return job.spec.owner !== undefined ? { kind: "user", id: job.spec.owner } : { kind: "namespace", name: job.metadata?.namespace ?? "" };
}

/** The tenant as logs, Events and job records name it: the user id, or `ns:<namespace>`. */
export function tenantName(t: Tenant): string {
  return t.kind === "user" ? t.id : `ns:${t.name}`;
}

/** Where the tenant's sources lie (in any uploads bucket). */
export function sourcePrefixOf(p: TenancyPolicy, t: Tenant): string {
  return t.kind === "user" ? `${p.uploadsPrefix}${t.id}/` : `${p.namespacePrefix}${t.name}/`;
}

/** The one output prefix of the tenant's job `jobName` (in the outputs bucket). */
export function outputPrefixOf(p: TenancyPolicy, t: Tenant, jobName: string): string {
  return `${t.kind === "user" ? `${p.outputsPrefix}${t.id}/` : `${p.namespacePrefix}${t.name}/`}${jobName}/`;
}

const hasDotSegment = (key: string) => key.split("/").some((s) => s === "." || s === "..");

/** A key the job may name as one of its outputs: under its own output prefix, no "." or ".." segment. */
export function isUnderPrefix(key: string, prefix: string): boolean {
  return key.startsWith(prefix) && !hasDotSegment(key);
}

/** What the rules compute once per job, in TypeScript and (as the policy's variables) in CEL. */
interface Facts {
  tenant: Tenant;
  sourcePrefix: string;
  outputPrefix: string;
  /** The owner label's value, "" when absent. */
  ownerLabel: string;
}

const LABEL_CEL = `'${OWNER_LABEL}'`;

/** The CEL variables of the policy, by name, each the counterpart of a Facts field. */
export const CEL_VARIABLES: readonly { name: string; expression: string }[] = [
  { name: "owned", expression: "has(object.spec.owner)" },
  {
    name: "sourcePrefix",
    expression: "variables.owned ? params.data.uploadsPrefix + object.spec.owner + '/' : params.data.namespacePrefix + request.namespace + '/'",
  },
  {
    name: "outputPrefix",
    expression:
      "(variables.owned ? params.data.outputsPrefix + object.spec.owner + '/' : params.data.namespacePrefix + request.namespace + '/') + object.metadata.name + '/'",
  },
  {
    name: "ownerLabel",
    expression: `has(object.metadata.labels) && ${LABEL_CEL} in object.metadata.labels ? object.metadata.labels[${LABEL_CEL}] : ''`,
  },
  {
    name: "oldOwnerLabel",
    expression: `request.operation == 'UPDATE' && has(oldObject.metadata.labels) && ${LABEL_CEL} in oldObject.metadata.labels ? oldObject.metadata.labels[${LABEL_CEL}] : ''`,
  },
  { name: "wantedLabel", expression: "variables.owned ? object.spec.owner : ''" },
];

/**
 * One rule: the field it is about, the TypeScript check and message, and the same in CEL. `onCreateOnly`: spec
 * fields are immutable (the CRD's transition rules), so they are judged when the job is made; an update (the
 * operator's finalizer, a suspend) of a job made before the policy must not be refused, or it could never be
 * deleted.
 */
interface Rule {
  field: string;
  holds: (job: TenancySubject, f: Facts, p: TenancyPolicy) => boolean;
  message: (job: TenancySubject, f: Facts, p: TenancyPolicy) => string;
  cel: { expression: string; messageExpression: string };
  onCreateOnly: boolean;
}

export const TENANCY_RULES: readonly Rule[] = [
  {
    field: "spec.source.bucket",
    holds: (j, _f, p) => p.uploadsBuckets.includes(j.spec.source.bucket),
    message: (_j, _f, p) => `must be an uploads bucket (${p.uploadsBuckets.join(", ")})`,
    cel: {
      expression: "object.spec.source.bucket in params.data.uploadsBuckets.split(',')",
      messageExpression: "'must be an uploads bucket (' + params.data.uploadsBuckets.split(',').join(', ') + ')'",
    },
    onCreateOnly: true,
  },
  {
    field: "spec.source.key",
    holds: (j, f) => isUnderPrefix(j.spec.source.key, f.sourcePrefix),
    message: (_j, f) => `must lie under ${f.sourcePrefix} (its owner's own prefix), without . or .. segments`,
    cel: {
      expression: "object.spec.source.key.startsWith(variables.sourcePrefix) && !object.spec.source.key.split('/').exists(s, s == '.' || s == '..')",
      messageExpression: "'must lie under ' + variables.sourcePrefix + \" (its owner's own prefix), without . or .. segments\"",
    },
    onCreateOnly: true,
  },
  {
    field: "spec.output.bucket",
    holds: (j, _f, p) => j.spec.output.bucket === p.outputsBucket,
    message: (_j, _f, p) => `must be the outputs bucket (${p.outputsBucket})`,
    cel: { expression: "object.spec.output.bucket == params.data.outputsBucket", messageExpression: "'must be the outputs bucket (' + params.data.outputsBucket + ')'" },
    onCreateOnly: true,
  },
  {
    field: "spec.output.prefix",
    holds: (j, f) => j.spec.output.prefix === f.outputPrefix,
    message: (_j, f) => `must be ${f.outputPrefix} (its owner's and its own prefix)`,
    cel: { expression: "object.spec.output.prefix == variables.outputPrefix", messageExpression: "'must be ' + variables.outputPrefix + \" (its owner's and its own prefix)\"" },
    onCreateOnly: true,
  },
  {
    field: `metadata.labels[${OWNER_LABEL}]`,
    holds: (j, f) => f.ownerLabel === (j.spec.owner ?? ""),
    message: (j) => (j.spec.owner === undefined ? "must be absent: the job has no spec.owner" : `must equal spec.owner (${j.spec.owner})`),
    cel: {
      // On an update only a change of the label is judged, for the reason given at onCreateOnly.
      expression: "(request.operation == 'UPDATE' && variables.ownerLabel == variables.oldOwnerLabel) || variables.ownerLabel == variables.wantedLabel",
      messageExpression: "variables.owned ? 'must equal spec.owner (' + object.spec.owner + ')' : 'must be absent: the job has no spec.owner'",
    },
    onCreateOnly: false,
  },
];

/**
 * The rule's verdict on one job, in the rules' order: an empty list when the job keeps it. Never throws. The
 * apiserver's policy reports the first issue, as "<field>: <message>".
 */
export function checkTenancy(job: TenancySubject, p: TenancyPolicy): FieldIssue[] {
  const tenant = tenantOf(job);
  const facts: Facts = {
    tenant,
    sourcePrefix: sourcePrefixOf(p, tenant),
    outputPrefix: outputPrefixOf(p, tenant, job.metadata?.name ?? ""),
    ownerLabel: job.metadata?.labels?.[OWNER_LABEL] ?? "",
  };
  return TENANCY_RULES.filter((r) => !r.holds(job, facts, p)).map((r) => ({ path: r.field, message: r.message(job, facts, p) }));
}

/** The rule's first issue as one line ("spec.source.key: must lie under ..."), or undefined when the job keeps it. */
export function tenancyViolation(job: TenancySubject, p: TenancyPolicy): string | undefined {
  const [first] = checkTenancy(job, p);
  return first && `${first.path}: ${first.message}`;
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const PREFIX = /^(?:[A-Za-z0-9_-][A-Za-z0-9._-]*\/)+$/;
const overlaps = (a: string, b: string) => a.startsWith(b) || b.startsWith(a);

/**
 * What makes a policy unsafe, by the setting that says it: the outputs bucket must not be an uploads bucket (a job
 * could read, or delete, another job's outputs as its source), and the prefixes that share a bucket must not nest
 * (a user's prefix could then be a namespace's).
 */
export function policyProblems(p: TenancyPolicy): { field: keyof TenancyPolicy; message: string }[] {
  const out: { field: keyof TenancyPolicy; message: string }[] = [];
  if (p.uploadsBuckets.length === 0) out.push({ field: "uploadsBuckets", message: "must name at least one bucket" });
  for (const b of p.uploadsBuckets) if (!BUCKET.test(b)) out.push({ field: "uploadsBuckets", message: `${JSON.stringify(b)} is not an S3 bucket name` });
  if (!BUCKET.test(p.outputsBucket)) out.push({ field: "outputsBucket", message: "is not an S3 bucket name" });
  if (p.uploadsBuckets.includes(p.outputsBucket)) out.push({ field: "outputsBucket", message: "must not be an uploads bucket" });
  for (const field of ["uploadsPrefix", "outputsPrefix", "namespacePrefix"] as const) {
    if (!PREFIX.test(p[field])) out.push({ field, message: "must be one or more path segments, each followed by /" });
  }
  if (overlaps(p.uploadsPrefix, p.namespacePrefix)) out.push({ field: "namespacePrefix", message: "must not nest with the uploads prefix" });
  if (overlaps(p.outputsPrefix, p.namespacePrefix)) out.push({ field: "namespacePrefix", message: "must not nest with the outputs prefix" });
  return out;
}
