import { randomBytes } from "node:crypto";
import {
  AdmissionregistrationV1Api,
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  loadYaml,
  type KubeConfig,
  type V1ConfigMap,
  type V1CustomResourceDefinition,
  type V1ObjectMeta,
  type V1ValidatingAdmissionPolicy,
  type V1ValidatingAdmissionPolicyBinding,
} from "@kubernetes/client-node";
import { stringify } from "yaml";
import { API_VERSION, CRD_NAME, GROUP, KIND, PLURAL, VERSION } from "../../crds/constants.js";
import { renderCrdYaml, tenancyBindingManifests, tenancyPolicyManifest, TENANCY_POLICY_NAME, type TenancyBindingOptions } from "../../crds/generator/index.js";
import { TerminalError, TransientError } from "../errors/index.js";
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

/** The tenancy ValidatingAdmissionPolicy as client-node's typed model (through loadYaml, as crdObject). */
export function tenancyPolicyObject(): V1ValidatingAdmissionPolicy {
  return loadYaml<V1ValidatingAdmissionPolicy>(stringify(tenancyPolicyManifest()));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function conditionTrue(crd: V1CustomResourceDefinition, type: string): boolean {
  return crd.status?.conditions?.some((c) => c.type === type && c.status === "True") ?? false;
}

/**
 * Creates the TranscodeJob CRD and the tenancy ValidatingAdmissionPolicy, or replaces them with the generated ones
 * when they exist (so a newer schema wins), then waits until the apiserver serves the CRD. Safe to call from several
 * processes at once: a conflict on replace means someone else just wrote it, and the read-modify-write is retried.
 * The policy does nothing until a deployment binds it to its namespaces (applyTenancyBinding).
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

interface Writable<T> {
  create(body: T): Promise<unknown>;
  read(): Promise<T & { metadata?: V1ObjectMeta }>;
  replace(body: T): Promise<unknown>;
}

/** Create, or replace what is there (with its resourceVersion); a conflict is someone else's write: read again. */
async function createOrReplace<T extends { metadata?: V1ObjectMeta }>(body: T, api: Writable<T>, deadline: number): Promise<void> {
  for (;;) {
    try {
      await api.create(body);
      return;
    } catch (err) {
      if (!isAlreadyExists(err, true)) throw err;
    }
    const current = await api.read();
    try {
      await api.replace({ ...body, metadata: { ...body.metadata, resourceVersion: current.metadata?.resourceVersion } });
      return;
    } catch (err) {
      if (statusOf(err) !== 409 || Date.now() > deadline) throw err;
    }
  }
}

async function applyAndWait(kc: KubeConfig, options: ApplyCrdOptions): Promise<V1CustomResourceDefinition> {
  const api = kc.makeApiClient(ApiextensionsV1Api);
  const admission = kc.makeApiClient(AdmissionregistrationV1Api);
  const body = crdObject();
  const name = body.metadata!.name!;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);

  await createOrReplace(
    body,
    {
      create: (b) => api.createCustomResourceDefinition({ body: b }),
      read: () => api.readCustomResourceDefinition({ name }),
      replace: (b) => api.replaceCustomResourceDefinition({ name, body: b }),
    },
    deadline,
  );
  await createOrReplace(
    tenancyPolicyObject(),
    {
      create: (b) => admission.createValidatingAdmissionPolicy({ body: b }),
      read: () => admission.readValidatingAdmissionPolicy({ name: TENANCY_POLICY_NAME }),
      replace: (b) => admission.replaceValidatingAdmissionPolicy({ name: TENANCY_POLICY_NAME, body: b }),
    },
    deadline,
  );

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

/**
 * Binds the tenancy policy (applied by applyCrd) to one deployment's namespaces with its parameters, then waits until
 * the apiserver enforces it: a server-side dry run of a job that breaks the rule must be refused by the policy (the
 * admission plugin picks bindings up from a watch, so a create made at once could still pass).
 */
export async function applyTenancyBinding(kc: KubeConfig, o: TenancyBindingOptions, options: ApplyCrdOptions = {}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const core = kc.makeApiClient(CoreV1Api);
  const admission = kc.makeApiClient(AdmissionregistrationV1Api);
  const { configMap, binding } = tenancyBindingManifests(o);
  try {
    await createOrReplace(
      configMap as V1ConfigMap,
      {
        create: (b) => core.createNamespacedConfigMap({ namespace: o.paramNamespace, body: b }),
        read: () => core.readNamespacedConfigMap({ namespace: o.paramNamespace, name: o.name }),
        replace: (b) => core.replaceNamespacedConfigMap({ namespace: o.paramNamespace, name: o.name, body: b }),
      },
      deadline,
    );
    await createOrReplace(
      loadYaml<V1ValidatingAdmissionPolicyBinding>(stringify(binding)),
      {
        create: (b) => admission.createValidatingAdmissionPolicyBinding({ body: b }),
        read: () => admission.readValidatingAdmissionPolicyBinding({ name: o.name }),
        replace: (b) => admission.replaceValidatingAdmissionPolicyBinding({ name: o.name, body: b }),
      },
      deadline,
    );
    await waitEnforced(kc, o, deadline, options.pollMs ?? 200);
  } catch (err) {
    throw mapKubeError(err, `binding ${TENANCY_POLICY_NAME} as ${o.name}`);
  }
}

async function waitEnforced(kc: KubeConfig, o: TenancyBindingOptions, deadline: number, pollMs: number): Promise<void> {
  const api = kc.makeApiClient(CustomObjectsApi);
  const namespace = o.namespaces === "all" ? o.paramNamespace : o.namespaces[0];
  if (namespace === undefined) return;
  const name = `tenancy-probe-${randomBytes(4).toString("hex")}`;
  // Valid for the CRD's schema, outside every uploads bucket of the policy.
  const probe = {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name, namespace },
    spec: { source: { bucket: `probe-${randomBytes(6).toString("hex")}`, key: "probe.mp4" }, output: { bucket: o.policy.outputsBucket, prefix: "probe/" } },
  };
  for (;;) {
    try {
      await api.createNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace, body: probe, dryRun: "All" });
    } catch (err) {
      if (statusOf(err) === 422 && JSON.stringify((err as { body?: unknown }).body ?? "").includes(TENANCY_POLICY_NAME)) return;
      if (statusOf(err) !== 422) throw err;
    }
    if (Date.now() > deadline) throw new TerminalError(`the apiserver does not enforce ${TENANCY_POLICY_NAME} in namespace ${namespace} yet`, "PolicyNotEnforced");
    await sleep(pollMs);
  }
}
