import type { JobRecord, JobStore } from "../../lib/store/index.js";

/** Job records that outlive their TranscodeJob (cancelled, deleted): the API's second source for reads. */
export interface JobHistory {
  find(owner: string, name: string): Promise<JobRecord | undefined>;
}

const PAGE = 500;
const MAX_PAGES = 20;

/**
 * Finds a record by name through the JobStore port (the job-record store, lib/store). The port has no by-name lookup, so this
 * pages through the owner's records newest first; bounded, and only reached when the CR is gone.
 */
export function storeHistory(store: JobStore, namespace: string): JobHistory {
  return {
    async find(owner, name) {
      let before: Date | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const records = await store.list({ owner, namespace, limit: PAGE, ...(before ? { before } : {}) });
        const hit = records.find((r) => r.name === name);
        if (hit) return hit;
        if (records.length < PAGE) return undefined;
        before = records[records.length - 1]?.createdAt;
      }
      return undefined;
    },
  };
}
