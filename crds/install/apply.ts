import { ApiException, ApiextensionsV1Api, loadYaml, type KubeConfig, type V1CustomResourceDefinition } from "@kubernetes/client-node";
import { TerminalError, TransientError } from "../../lib/errors/index.js";
import { CRD_NAME } from "../constants.js";
import { renderCrdYaml } from "../generator/index.js";

export interface ApplyCrdOptions {
  /** How long to wait for the apiserver to report Established and NamesAccepted. Default 30 s. */
  timeoutMs?: number;
  /** Poll interval while waiting. Default 100 ms. */
  pollMs?: number;
}

/**
 * The CRD as client-node's typed model. The typed APIs serialize through an attribute map keyed by TypeScript
 * names (xKubernetesValidations, _default, _enum): a plain JSON manifest passed to them silently loses every
 * default, enum and CEL rule. loadYaml maps the JSON names onto the model, so nothing is dropped.
 */
export function crdObject(): V1CustomResourceDefinition {
  return loadYaml<V1CustomResourceDefinition>(renderCrdYaml());
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function conditionTrue(crd: V1CustomResourceDefinition, type: string): boolean {
  return crd.status?.conditions?.some((c) => c.type === type && c.status === "True") ?? false;
}

/**
 * Creates the TranscodeJob CRD, or replaces it with the generated one when it exists (so a newer schema wins),
 * then waits until the apiserver serves it. Safe to call from several processes at once: a conflict on
 * replace means someone else just wrote it, and the read-modify-write is retried.
 */
export async function applyCrd(kc: KubeConfig, options: ApplyCrdOptions = {}): Promise<V1CustomResourceDefinition> {
  try {
    return await applyAndWait(kc, options);
  } catch (err) {
    if (err instanceof TransientError || err instanceof TerminalError) throw err;
    throw classify(err);
  }
}

/**
 * A refused schema (4xx but 409/429) is a bug in the generated CRD or missing RBAC and will not pass; a network
 * error, throttling or a 5xx will. The message carries the server's own words, not client-node's dump of headers.
 */
function classify(err: unknown): TransientError | TerminalError {
  if (err instanceof ApiException) {
    const body = typeof err.body === "string" ? safeJson(err.body) : (err.body as unknown);
    const detail = body !== null && typeof body === "object" && "message" in body ? String(body.message) : `HTTP ${err.code}`;
    const message = `applying CRD ${CRD_NAME}: ${detail}`;
    const retryable = err.code === 409 || err.code === 429 || err.code >= 500;
    return retryable ? new TransientError(message, undefined, { cause: err }) : new TerminalError(message, "CrdRejected", { cause: err });
  }
  const cause = err instanceof Error && err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : String(err);
  return new TransientError(`applying CRD ${CRD_NAME}: cannot reach the apiserver (${cause})`, undefined, { cause: err });
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

async function applyAndWait(kc: KubeConfig, options: ApplyCrdOptions): Promise<V1CustomResourceDefinition> {
  const api = kc.makeApiClient(ApiextensionsV1Api);
  const body = crdObject();
  const name = body.metadata!.name!;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);

  for (;;) {
    try {
      await api.createCustomResourceDefinition({ body });
      break;
    } catch (err) {
      if (!(err instanceof ApiException) || err.code !== 409) throw err;
    }
    const current = await api.readCustomResourceDefinition({ name });
    try {
      await api.replaceCustomResourceDefinition({
        name,
        body: { ...body, metadata: { ...body.metadata, resourceVersion: current.metadata?.resourceVersion } },
      });
      break;
    } catch (err) {
      if (!(err instanceof ApiException) || err.code !== 409 || Date.now() > deadline) throw err;
    }
  }

  for (;;) {
    const crd = await api.readCustomResourceDefinition({ name });
    if (conditionTrue(crd, "Established") && conditionTrue(crd, "NamesAccepted")) return crd;
    if (Date.now() > deadline) {
      const conds = (crd.status?.conditions ?? []).map((c) => `${c.type}=${c.status} (${c.reason ?? ""}: ${c.message ?? ""})`);
      throw new TransientError(`CRD ${name} not established in time: ${conds.join("; ") || "no conditions yet"}`);
    }
    await sleep(options.pollMs ?? 100);
  }
}
