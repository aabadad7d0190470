import * as k8s from "@kubernetes/client-node";
import { GROUP, KIND, OWNER_LABEL, PLURAL, VERSION, type TranscodeJobInput } from "../../crds/index.js";
import { TransientError } from "../../lib/errors/index.js";
import { isAlreadyExists, isNotFound, mapKubeError, statusOf } from "../../lib/kube/index.js";

/** A TranscodeJob as the apiserver returns it: metadata is trusted, spec and status are read defensively. */
export interface KubeJob {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    finalizers?: string[];
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: string | Date;
    deletionTimestamp?: string | Date;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

export class AlreadyExistsError extends Error {
  override readonly name = "AlreadyExistsError";
}
/** The apiserver refused the object (schema, CEL rule): the request was bad, not the server. */
export class InvalidJobError extends Error {
  override readonly name = "InvalidJobError";
}

/** TranscodeJobs of one namespace, as the API needs them. */
export interface JobsCluster {
  readonly namespace: string;
  create(job: TranscodeJobInput): Promise<KubeJob>;
  /** `consistent`: as the apiserver has it now (not from a cache), e.g. right after a create said AlreadyExists. */
  get(name: string, options?: { consistent?: boolean }): Promise<KubeJob | undefined>;
  /** Every live job of `owner` (label media.transcoder.dev/owner), in no particular order. */
  ownedBy(owner: string): Promise<KubeJob[]>;
  /**
   * What the delete left: the job still there with a deletionTimestamp while finalizers run, or the job as it was
   * deleted. undefined when there was nothing to delete.
   */
  delete(name: string): Promise<KubeJob | undefined>;
  ping(): Promise<void>;
}

/**
 * Through the one apiserver error mapping (lib/kube): a transient failure (network, 429, 5xx, a conflict) becomes
 * the API's 503 with Retry-After; anything else is a failure of ours (500), never shown to the client.
 */
function unavailable(err: unknown, what: string): never {
  const mapped = mapKubeError(err, what);
  if (mapped instanceof TransientError) throw new TransientError("the Kubernetes API is unavailable", mapped.retryAfterMs ?? 1000, { cause: err });
  throw mapped;
}

export class KubeJobsCluster implements JobsCluster {
  private readonly api: k8s.CustomObjectsApi;
  constructor(
    kc: k8s.KubeConfig,
    readonly namespace: string,
  ) {
    this.api = kc.makeApiClient(k8s.CustomObjectsApi);
  }

  private base() {
    return { group: GROUP, version: VERSION, namespace: this.namespace, plural: PLURAL };
  }

  async create(job: TranscodeJobInput): Promise<KubeJob> {
    try {
      return (await this.api.createNamespacedCustomObject({ ...this.base(), body: job })) as KubeJob;
    } catch (err) {
      if (isAlreadyExists(err, true)) throw new AlreadyExistsError(job.metadata.name ?? "");
      const code = statusOf(err);
      if (code === 422 || code === 400) throw new InvalidJobError("the apiserver refused the TranscodeJob", { cause: err });
      return unavailable(err, "creating a TranscodeJob");
    }
  }

  async get(name: string): Promise<KubeJob | undefined> {
    try {
      return (await this.api.getNamespacedCustomObject({ ...this.base(), name })) as KubeJob;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      return unavailable(err, "reading a TranscodeJob");
    }
  }

  async ownedBy(owner: string): Promise<KubeJob[]> {
    const items: KubeJob[] = [];
    let cont: string | undefined;
    do {
      const page = await this.page(`${OWNER_LABEL}=${owner}`, 500, cont);
      items.push(...page.items);
      cont = page.continue;
    } while (cont);
    return items;
  }

  private async page(labelSelector: string, limit: number, cont?: string): Promise<{ items: KubeJob[]; continue?: string | undefined }> {
    try {
      const res = (await this.api.listNamespacedCustomObject({ ...this.base(), labelSelector, limit, ...(cont ? { _continue: cont } : {}) })) as {
        items?: KubeJob[];
        metadata?: { continue?: string };
      };
      // Custom objects come back as raw JSON: the token is `continue`, not client-node's typed `_continue`.
      return { items: res.items ?? [], continue: res.metadata?.continue || undefined };
    } catch (err) {
      return unavailable(err, "listing TranscodeJobs");
    }
  }

  async delete(name: string): Promise<KubeJob | undefined> {
    try {
      const res = (await this.api.deleteNamespacedCustomObject({ ...this.base(), name, propagationPolicy: "Background" })) as KubeJob | { kind?: string; details?: { uid?: string } };
      // Still there while finalizers run: the object, with its deletionTimestamp. Deleted at once: a Status naming its uid.
      if (res.kind === KIND) return res as KubeJob;
      const uid = (res as { details?: { uid?: string } }).details?.uid;
      return { metadata: { name, namespace: this.namespace, ...(uid ? { uid } : {}) } };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      return unavailable(err, "deleting a TranscodeJob");
    }
  }

  async ping(): Promise<void> {
    await this.page(`${OWNER_LABEL}=readyz-probe`, 1);
  }
}
