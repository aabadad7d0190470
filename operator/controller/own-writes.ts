import type { OwnWrites } from "../../lib/kube/index.js";
import type { JobCluster, JobObject } from "../ports/index.js";

/** The same cluster, remembering in `own` what its writes return (see OwnWrites in lib/kube). */
export function rememberWrites<T extends JobObject>(own: OwnWrites<JobObject>, cluster: JobCluster<T>): JobCluster<T> {
  const remember = async (p: Promise<T | undefined>): Promise<T | undefined> => {
    const out = await p;
    own.record(out);
    return out;
  };
  return {
    get: (ns, name) => cluster.get(ns, name),
    patchStatus: (ns, name, status) => remember(cluster.patchStatus(ns, name, status)),
    addFinalizer: (ns, name, f) => remember(cluster.addFinalizer(ns, name, f)),
    removeFinalizer: (ns, name, f) => remember(cluster.removeFinalizer(ns, name, f)),
    emitEvent: (job, event) => cluster.emitEvent(job, event),
  };
}
