import { API_VERSION, FILENAME_ANNOTATION, KIND, OWNER_LABEL } from "./constants.js";
import { formatIssues, type FieldIssue } from "./parse.js";
import { TranscodeJobSpec, type TranscodeJobSpecInput } from "./spec.js";
import { checkTenancy, outputPrefixOf, type TenancyPolicy } from "./tenancy.js";
import type { TranscodeJobInput } from "./transcode-job.js";

/** The uploaded file's name: the last segment of its key (what FILENAME_ANNOTATION holds). */
export function sourceFilename(key: string): string {
  return key.slice(key.lastIndexOf("/") + 1);
}

export interface NewJob {
  name: string;
  namespace: string;
  /** The user the job is made for: spec.owner, mirrored in the owner label. */
  owner: string;
  source: { bucket: string; key: string; versionId?: string | undefined };
  /** What the request chose (ladder, formats, priority, ...); the CRD's defaults fill the rest on the server. */
  options?: Omit<TranscodeJobSpecInput, "source" | "output" | "owner">;
  /** More annotations; the uploaded file's name (FILENAME_ANNOTATION) is always set from the source key. */
  annotations?: Record<string, string>;
}

/** A failure says which check refused: the CRD's schema, or the tenancy rule (crds/tenancy.ts). */
export type NewJobResult = { ok: true; job: TranscodeJobInput } | { ok: false; kind: "schema" | "tenancy"; issues: FieldIssue[] };

/**
 * The one constructor of a TranscodeJob made on a user's behalf (the REST API and the upload bridge): the
 * source they uploaded, the output under their own prefix, spec.owner and its label. Checked against the CRD's
 * own schema and the tenancy rule, so a job the apiserver would refuse is refused here with the same words;
 * `root` prefixes the field paths of the schema's issues (e.g. "body" for a request body).
 */
export function newTranscodeJob(n: NewJob, policy: TenancyPolicy, root = "spec"): NewJobResult {
  const { versionId, ...source } = n.source;
  const spec = {
    ...n.options,
    source: { ...source, ...(versionId ? { versionId } : {}) },
    output: { bucket: policy.outputsBucket, prefix: outputPrefixOf(policy, { kind: "user", id: n.owner }, n.name) },
    owner: n.owner,
  };
  const checked = TranscodeJobSpec.safeParse(spec);
  if (!checked.success) return { ok: false, kind: "schema", issues: formatIssues(checked.error, root) };
  const job = {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: {
      name: n.name,
      namespace: n.namespace,
      labels: { [OWNER_LABEL]: n.owner },
      annotations: { [FILENAME_ANNOTATION]: sourceFilename(source.key), ...n.annotations },
    },
    spec,
  } satisfies TranscodeJobInput;
  const issues = checkTenancy(job, policy);
  return issues.length ? { ok: false, kind: "tenancy", issues } : { ok: true, job };
}
