/** TranscodeJobs in the real apiserver: create (client time taken just before the request), read phases. */
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import { API_VERSION, GROUP, KIND, OWNER_LABEL, outputPrefixOf, PLURAL, sourcePrefixOf, VERSION, type Tenant } from "../../crds/index.js";
import { fragments as f, loadConfig } from "../../lib/config/index.js";
import type { JobObject } from "../../operator/ports/index.js";

/** The buckets the bench's operators are given (BENCH_TENANCY_ENV); the prefixes are the settings' defaults. */
export const BENCH_TENANCY_ENV = { UPLOADS_BUCKET: "uploads", OUTPUTS_BUCKET: "outputs" };
const BENCH_TENANCY = f.tenancyPolicyOf(loadConfig("bench", f.tenancy, BENCH_TENANCY_ENV).config);

export interface CreatedJob {
  name: string;
  key: string;
  uid: string;
  /** Date.now() just before the create request was sent. */
  t0: number;
}

export class Jobs {
  private readonly api: CustomObjectsApi;
  /** When set, each job gets spec.owner u<k>, k = the number its name ends with, modulo this. */
  owners: number | undefined;

  constructor(
    private readonly kc: KubeConfig,
    readonly namespace: string,
  ) {
    this.api = kc.makeApiClient(CustomObjectsApi);
  }

  async ensureNamespace(): Promise<void> {
    try {
      await this.kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: this.namespace } } });
    } catch (err) {
      if ((err as { code?: number }).code !== 409) throw err;
    }
  }

  async create(name: string): Promise<CreatedJob> {
    const body = {
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: { name, namespace: this.namespace, ...this.labelsOf(name) },
      spec: this.specOf(name),
    };
    const t0 = Date.now();
    const obj = (await this.api.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: this.namespace, plural: PLURAL, body })) as JobObject;
    const uid = obj.metadata?.uid;
    if (!uid) throw new Error(`created ${name} without a uid`);
    return { name, key: `${this.namespace}/${name}`, uid, t0 };
  }

  private ownerOf(name: string): string | undefined {
    const k = Number(/(\d+)$/.exec(name)?.[1] ?? 0);
    return this.owners ? `u${k % this.owners}` : undefined;
  }

  /** The owner label mirrors spec.owner, as the tenancy rule requires (else the operator fails the job). */
  private labelsOf(name: string): { labels?: Record<string, string> } {
    const owner = this.ownerOf(name);
    return owner ? { labels: { [OWNER_LABEL]: owner } } : {};
  }

  /** A spec the tenancy rule accepts: the owner's (or, without owners, the namespace's) own prefixes. */
  private specOf(name: string): Record<string, unknown> {
    const owner = this.ownerOf(name);
    const tenant: Tenant = owner ? { kind: "user", id: owner } : { kind: "namespace", name: this.namespace };
    return {
      source: { bucket: BENCH_TENANCY.uploadsBuckets[0], key: `${sourcePrefixOf(BENCH_TENANCY, tenant)}${name}/in.mp4` },
      output: { bucket: BENCH_TENANCY.outputsBucket, prefix: outputPrefixOf(BENCH_TENANCY, tenant, name) },
      ...(owner ? { owner } : {}),
    };
  }

  async get(name: string): Promise<JobObject | undefined> {
    try {
      return (await this.api.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: this.namespace, plural: PLURAL, name })) as JobObject;
    } catch (err) {
      if ((err as { code?: number }).code === 404) return undefined;
      throw err;
    }
  }

  /** Jobs by phase, read from the apiserver in pages (the figure is the apiserver's, not the operator's cache). */
  async phases(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    let cont: string | undefined;
    do {
      const page = (await this.api.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: this.namespace, plural: PLURAL, limit: 2000, ...(cont ? { _continue: cont } : {}) })) as {
        items: JobObject[];
        metadata?: { continue?: string };
      };
      for (const j of page.items) counts.set(j.status?.phase ?? "Pending", (counts.get(j.status?.phase ?? "Pending") ?? 0) + 1);
      cont = page.metadata?.continue || undefined;
    } while (cont);
    return counts;
  }
}

export function formatPhases(m: Map<string, number>): string {
  return [...m].sort(([a], [b]) => (a < b ? -1 : 1)).map(([p, n]) => `${p}=${n}`).join(" ") || "(none)";
}
