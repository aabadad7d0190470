import { CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import { GROUP, PLURAL, VERSION, type TranscodeJobInput } from "../crds/index.js";
import { TerminalError, TransientError } from "../lib/errors/index.js";
import { isAlreadyExists, mapKubeError } from "../lib/kube/index.js";
import { createFailureKind } from "./decide.js";

/** The bridge's one side effect on the cluster: make sure a TranscodeJob exists. */
export interface JobCreator {
  /** Resolves when the job exists (created now, or already there); throws TerminalError or TransientError. */
  create(job: TranscodeJobInput): Promise<"created" | "exists">;
}

/** Creates TranscodeJobs through the CustomObjectsApi; AlreadyExists (409) is success. */
export class KubeJobCreator implements JobCreator {
  private readonly api: CustomObjectsApi;

  constructor(kubeConfig: KubeConfig) {
    this.api = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  async create(job: TranscodeJobInput): Promise<"created" | "exists"> {
    const namespace = job.metadata.namespace;
    if (!namespace) throw new TerminalError("job has no namespace", "Invalid");
    try {
      await this.api.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, body: job });
      return "created";
    } catch (err) {
      if (isAlreadyExists(err, true)) return "exists";
      const mapped = mapKubeError(err, `creating TranscodeJob ${namespace}/${job.metadata.name ?? ""}`);
      const kind = createFailureKind(mapped);
      if (kind === "exists") return "exists";
      if (kind === "terminal") throw mapped;
      throw mapped instanceof TransientError ? mapped : new TransientError(mapped.message, undefined, { cause: err });
    }
  }
}
