import type { z } from "zod";
import { MUTABLE_SPEC_FIELDS, TranscodeJobSpec } from "./spec.js";
import { TranscodeJobStatus } from "./status.js";
import { TranscodeJob } from "./transcode-job.js";

/** One problem with an input, located by a field path such as "spec.ladder.renditions[1].height". */
export interface FieldIssue {
  path: string;
  message: string;
}

export type ParseResult<T> =
  | { ok: true; value: T }
  | {
      ok: false;
      issues: FieldIssue[];
      /** All issues as "path: message" lines joined with "; ", ready for an error response or an Event. */
      message: string;
    };

/** Renders a zod path the way kubectl and the apiserver do: "spec.ladder.renditions[1].height". */
export function formatPath(root: string, path: readonly PropertyKey[]): string {
  let out = root;
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (typeof seg === "string" && /^[A-Za-z_$][\w$]*$/.test(seg)) out += out === "" ? seg : `.${seg}`;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out === "" ? "(root)" : out;
}

const article = (t: string): string => (t === "int" ? "an integer" : /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`);

function bound(iss: { origin?: string; inclusive?: boolean }, n: number | bigint, cmp: ">" | "<"): string {
  switch (iss.origin) {
    case "string":
      return cmp === ">" ? (Number(n) <= 1 ? "must not be empty" : `must be at least ${n} characters`) : `must be at most ${n} characters`;
    case "array":
    case "set":
      return cmp === ">" ? `must have at least ${n} item${n === 1 ? "" : "s"}` : `must have at most ${n} item${n === 1 ? "" : "s"}`;
    default:
      return `must be ${cmp}${iss.inclusive === false ? "" : "="} ${n}`;
  }
}

/**
 * zod's default messages ("Too small: expected number to be >=144") are written for developers; these read
 * like the apiserver's. Messages given in the schema itself take precedence over this map.
 */
export const friendlyMessages: z.core.$ZodErrorMap = (iss) => {
  switch (iss.code) {
    case "invalid_type":
      return iss.input === undefined ? "is required" : `must be ${article(iss.expected)}`;
    case "too_small":
      return bound(iss, iss.minimum, ">");
    case "too_big":
      return bound(iss, iss.maximum, "<");
    case "invalid_value":
      return iss.values.length === 1
        ? `must be ${JSON.stringify(iss.values[0])}`
        : `must be one of: ${iss.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "not_multiple_of":
      return `must be a multiple of ${iss.divisor}`;
    case "invalid_format":
      if (iss.format === "regex" && "pattern" in iss) return `must match ${String(iss.pattern)}`;
      if (iss.format === "datetime") return "must be an RFC 3339 date-time";
      return `must be a valid ${iss.format}`;
    case "unrecognized_keys":
      return "unknown field";
    case "invalid_union":
      return "matches none of the allowed shapes";
    default:
      return undefined;
  }
};

/** Flattens a zod error into field issues; an unknown key becomes an issue on that key's own path. */
export function formatIssues(error: z.core.$ZodError, root = ""): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const iss of error.issues) {
    if (iss.code === "unrecognized_keys") {
      for (const key of iss.keys) out.push({ path: formatPath(root, [...iss.path, key]), message: "unknown field" });
    } else {
      out.push({ path: formatPath(root, iss.path), message: iss.message });
    }
  }
  return out;
}

/**
 * The apiserver prunes a null object field before defaulting, so `priority: null` means "use the default" and
 * `owner: null` means "no owner". Doing the same here keeps zod and the CRD in agreement. Null array items
 * stay: the apiserver rejects those too.
 */
export function pruneNulls(input: unknown): unknown {
  if (Array.isArray(input)) return input.map(pruneNulls);
  if (input === null || typeof input !== "object" || input instanceof Date) return input;
  return Object.fromEntries(
    Object.entries(input as Record<string, unknown>)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, pruneNulls(v)]),
  );
}

function parseWith<T>(schema: z.ZodType<T>, input: unknown, root: string): ParseResult<T> {
  const r = schema.safeParse(pruneNulls(input), { error: friendlyMessages });
  if (r.success) return { ok: true, value: r.data };
  const issues = formatIssues(r.error, root);
  return { ok: false, issues, message: issues.map((i) => `${i.path}: ${i.message}`).join("; ") };
}

/** Validates a spec as a client wrote it and fills in the defaults. Never throws. */
export function parseSpec(input: unknown): ParseResult<TranscodeJobSpec> {
  return parseWith(TranscodeJobSpec, input, "spec");
}

export function parseStatus(input: unknown): ParseResult<TranscodeJobStatus> {
  return parseWith(TranscodeJobStatus, input, "status");
}

/** Validates a whole object (e.g. one read from the apiserver or a watch event). Never throws. */
export function parseTranscodeJob(input: unknown): ParseResult<TranscodeJob> {
  return parseWith(TranscodeJob, input, "");
}

/**
 * The transition rules of the CRD, for callers that change a spec without going through the apiserver first
 * (e.g. the REST API answering a PATCH). Both specs are compared after defaulting.
 */
export function checkSpecUpdate(oldSpec: unknown, newSpec: unknown): FieldIssue[] {
  const a = withDefaults(oldSpec);
  const b = withDefaults(newSpec);
  // formats is an x-kubernetes-list-type: set, which CEL compares without regard to order.
  for (const s of [a, b]) if (Array.isArray(s.formats)) s.formats = [...(s.formats as unknown[])].map(String).sort();
  const mutable = new Set<string>(MUTABLE_SPEC_FIELDS);
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys]
    .filter((k) => !mutable.has(k) && JSON.stringify(canonical(a[k])) !== JSON.stringify(canonical(b[k])))
    .sort()
    .map((k) => ({
      path: `spec.${k}`,
      message: `spec.${k} is immutable: only spec.suspend and spec.priority may change after creation`,
    }));
}

// An invalid spec is compared as written: its own errors are reported by parseSpec, not here.
function withDefaults(raw: unknown): Record<string, unknown> {
  const spec = pruneNulls(raw);
  const r = TranscodeJobSpec.safeParse(spec);
  if (r.success) return r.data;
  return spec !== null && typeof spec === "object" && !Array.isArray(spec) ? (spec as Record<string, unknown>) : {};
}

// Key order must not make two equal objects look different.
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>)
        .sort(([x], [y]) => (x < y ? -1 : 1))
        .map(([k, x]) => [k, canonical(x)]),
    );
  }
  return v;
}
