import * as k8s from "@kubernetes/client-node";
import { GROUP, OWNER_LABEL, PLURAL, VERSION, type TranscodeJobInput } from "../../crds/index.js";
import { TransientError } from "../../lib/errors/index.js";
import { isAlreadyExists, isNotFound, mapKubeError, statusOf } from "../../lib/kube/index.js";

/** A TranscodeJob as the apiserver returns it: metadata is trusted, spec and status are read defensively. */
export interface KubeJob {
  metadata: {
    name?: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: string | Date;
    deletionTimestamp?: string | Date;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

export interface JobPage {
  items: KubeJob[];
  /** Opaque apiserver continue token; absent on the last page. */
  continue?: string;
}

export class AlreadyExistsError extends Error {
  override readonly name = "AlreadyExistsError";
}
/** The apiserver refused the object (schema, CEL rule): the request was bad, not the server. */
export class InvalidJobError extends Error {
  override readonly name = "InvalidJobError";
}
export class CursorExpiredError extends Error {
  override readonly name = "CursorExpiredError";
}

/** TranscodeJobs of one namespace, as the API needs them. */
export interface JobsCluster {
  readonly namespace: string;
  create(job: TranscodeJobInput): Promise<KubeJob>;
  get(name: string): Promise<KubeJob | undefined>;
  listByOwner(owner: string, limit: number, cont?: string): Promise<JobPage>;
  /** false when there was nothing to delete. */
  delete(name: string): Promise<boolean>;
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

  async listByOwner(owner: string, limit: number, cont?: string): Promise<JobPage> {
    try {
      const res = (await this.api.listNamespacedCustomObject({
        ...this.base(),
        labelSelector: `${OWNER_LABEL}=${owner}`,
        limit,
        ...(cont ? { _continue: cont } : {}),
      })) as { items?: KubeJob[]; metadata?: { continue?: string } };
      const next = res.metadata?.continue;
      return { items: res.items ?? [], ...(next ? { continue: next } : {}) };
    } catch (err) {
      const code = statusOf(err);
      // 410: the continue token outlived etcd's compaction; 400: it was never a token.
      if (code === 410 || code === 400) throw new CursorExpiredError("cursor expired or invalid", { cause: err });
      return unavailable(err, "listing TranscodeJobs");
    }
  }

  async delete(name: string): Promise<boolean> {
    try {
      await this.api.deleteNamespacedCustomObject({ ...this.base(), name, propagationPolicy: "Background" });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      return unavailable(err, "deleting a TranscodeJob");
    }
  }

  async ping(): Promise<void> {
    await this.listByOwner("readyz-probe", 1);
  }
}
