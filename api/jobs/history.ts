import type { JobRecord, JobStore } from "../../lib/store/index.js";

/** Job records that outlive their TranscodeJob (cancelled, deleted): the API's second source for reads. */
export interface JobHistory {
  /** The newest record of the job `name`, if it is `owner`'s (any owner's when `owner` is not given). */
  find(name: string, owner?: string): Promise<JobRecord | undefined>;
}

/** Through the JobStore port (the job-record store, lib/store): one query on the (namespace, name) index. */
export function storeHistory(store: JobStore, namespace: string): JobHistory {
  return {
    async find(name, owner) {
      const [record] = await store.list({ namespace, name, limit: 1 });
      return record && (owner === undefined || record.owner === owner) ? record : undefined;
    },
  };
}
