import { API_VERSION, FILENAME_ANNOTATION, KIND, OWNER_LABEL } from "./constants.js";
import { formatIssues, type FieldIssue } from "./parse.js";
import { TranscodeJobSpec, type TranscodeJobSpecInput } from "./spec.js";
import type { TranscodeJobInput } from "./transcode-job.js";

/** Where a job made on a user's behalf writes: its owner's and its own prefix of the outputs bucket. */
export function outputPrefixFor(owner: string, jobName: string): string {
  return `outputs/${owner}/${jobName}/`;
}

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
  outputsBucket: string;
  /** What the request chose (ladder, formats, priority, ...); the CRD's defaults fill the rest on the server. */
  options?: Omit<TranscodeJobSpecInput, "source" | "output" | "owner">;
  /** More annotations; the uploaded file's name (FILENAME_ANNOTATION) is always set from the source key. */
  annotations?: Record<string, string>;
}

export type NewJobResult = { ok: true; job: TranscodeJobInput } | { ok: false; issues: FieldIssue[] };

/**
 * The one constructor of a TranscodeJob made on a user's behalf (the REST API and the upload bridge): the
 * source they uploaded, the output under their own prefix, spec.owner and its label. Checked against the CRD's
 * own schema, so a spec the apiserver would refuse is refused here with the same words; `root` prefixes the
 * field paths of the issues (e.g. "body" for a request body).
 */
export function newTranscodeJob(n: NewJob, root = "spec"): NewJobResult {
  const { versionId, ...source } = n.source;
  const spec = {
    ...n.options,
    source: { ...source, ...(versionId ? { versionId } : {}) },
    output: { bucket: n.outputsBucket, prefix: outputPrefixFor(n.owner, n.name) },
    owner: n.owner,
  };
  const checked = TranscodeJobSpec.safeParse(spec);
  if (!checked.success) return { ok: false, issues: formatIssues(checked.error, root) };
  return {
    ok: true,
    job: {
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: {
        name: n.name,
        namespace: n.namespace,
        labels: { [OWNER_LABEL]: n.owner },
        annotations: { [FILENAME_ANNOTATION]: sourceFilename(source.key), ...n.annotations },
      },
      spec,
    },
  };
}
