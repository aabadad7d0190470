import { ApiextensionsV1Api, loadYaml, type KubeConfig, type V1CustomResourceDefinition } from "@kubernetes/client-node";
import { CRD_NAME } from "../../crds/constants.js";
import { renderCrdYaml } from "../../crds/generator/index.js";
import { TransientError } from "../errors/index.js";
import { isAlreadyExists, mapKubeError, statusOf } from "./errors.js";

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
    // A refused schema is a bug in the generated CRD or missing RBAC and will not pass (terminal); a network
    // error, throttling or a 5xx will (transient).
    throw mapKubeError(err, `applying CRD ${CRD_NAME}`);
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
      if (!isAlreadyExists(err, true)) throw err;
    }
    const current = await api.readCustomResourceDefinition({ name });
    try {
      await api.replaceCustomResourceDefinition({
        name,
        body: { ...body, metadata: { ...body.metadata, resourceVersion: current.metadata?.resourceVersion } },
      });
      break;
    } catch (err) {
      if (statusOf(err) !== 409 || Date.now() > deadline) throw err;
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
