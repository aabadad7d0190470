import type { TranscodeJobInput } from "../../crds/index.js";
import { withTimeout } from "../../lib/clock.js";
import { objectKey, OwnWrites, type Informer } from "../../lib/kube/index.js";
import type { JobsCluster, KubeJob } from "./cluster.js";
import { ownerOf } from "./view.js";

/** Where a read was served from (the api_job_reads_total metric's label). */
export type ReadSource = "cache" | "apiserver";


/**
 * The API's TranscodeJob reads from a list+watch cache (lib/kube's informer, the operator's own), with an owner index
 * and read-your-writes: what this API created or cancelled is read back at once, before the watch delivers it
 * (OwnWrites, with the informer's resourceVersion as the watermark). Writes go to the apiserver. While the cache is
 * not healthy (not synced yet, or no word from the apiserver for twice WATCH_IDLE_TIMEOUT_MS) reads go to the
 * apiserver too, so a cut watch never serves stale jobs for longer than that.
 */
export class CachedJobsCluster implements JobsCluster {
  private readonly own: OwnWrites<KubeJob>;
  private readonly byOwner = new Map<string, Set<string>>();

  constructor(
    private readonly direct: JobsCluster,
    private readonly informer: Informer<KubeJob>,
    private readonly onRead: (source: ReadSource) => void = () => undefined,
  ) {
    this.own = new OwnWrites<KubeJob>({ cached: (key) => informer.get(key), watermark: () => informer.resourceVersion });
    informer.on("add", (job) => this.index(job));
    informer.on("update", (job, old) => {
      if (old && old !== job) this.unindex(old);
      this.index(job);
    });
    informer.on("delete", (job, old) => {
      this.unindex(old ?? job);
      this.own.delivered(job, true);
    });
  }

  get namespace(): string {
    return this.direct.namespace;
  }

  /** Resolves after the first list (the API listens only once it can answer from the cache); fails after `timeoutMs`. */
  async start(timeoutMs = 30_000): Promise<void> {
    await withTimeout(this.informer.start(), timeoutMs, `the Kubernetes API did not list the TranscodeJobs within ${timeoutMs} ms`);
  }

  stop(): Promise<void> {
    return this.informer.stop();
  }

  private index(job: KubeJob): void {
    this.own.delivered(job);
    const owner = ownerOf(job);
    const name = job.metadata.name;
    if (!owner || !name) return;
    let names = this.byOwner.get(owner);
    if (!names) this.byOwner.set(owner, (names = new Set()));
    names.add(name);
  }

  private unindex(job: KubeJob): void {
    const owner = ownerOf(job);
    const names = owner === undefined ? undefined : this.byOwner.get(owner);
    if (!names || !job.metadata.name) return;
    names.delete(job.metadata.name);
    if (names.size === 0) this.byOwner.delete(owner!);
  }

  private fresh(): boolean {
    return this.informer.healthy();
  }

  async get(name: string, options: { consistent?: boolean } = {}): Promise<KubeJob | undefined> {
    const key = objectKey(this.namespace, name);
    if (this.fresh() && !options.consistent) {
      const picked = this.own.pick(key, this.informer.get(key));
      if (picked) {
        this.onRead("cache");
        return picked.object;
      }
    }
    this.onRead("apiserver");
    return this.direct.get(name);
  }

  async ownedBy(owner: string): Promise<KubeJob[]> {
    if (!this.fresh()) {
      this.onRead("apiserver");
      return this.direct.ownedBy(owner);
    }
    this.onRead("cache");
    const names = new Set(this.byOwner.get(owner));
    for (const job of this.own.pending()) if (ownerOf(job) === owner && job.metadata.name) names.add(job.metadata.name);
    const out: KubeJob[] = [];
    for (const name of names) {
      const key = objectKey(this.namespace, name);
      const cached = this.informer.get(key);
      const picked = this.own.pick(key, cached);
      const job = picked ? picked.object : cached;
      if (job && ownerOf(job) === owner) out.push(job);
    }
    return out;
  }

  async create(job: TranscodeJobInput): Promise<KubeJob> {
    const created = await this.direct.create(job);
    this.own.record(created);
    return created;
  }

  async delete(name: string): Promise<KubeJob | undefined> {
    const left = await this.direct.delete(name);
    if (!left) return undefined;
    // Finalizers keep it (the operator stops the task first): it is there, being deleted. Without any it is gone.
    if (left.metadata.finalizers?.length) this.own.record(left);
    else this.own.recordDeleted(left);
    return left;
  }

  async ping(): Promise<void> {
    if (!this.fresh()) await this.direct.ping();
  }
}
