import { ApiException, CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import { GROUP, PLURAL, VERSION, type TranscodeJobInput } from "../../crds/index.js";
import { TerminalError, TransientError } from "../../lib/errors/index.js";
import { classifyCreateStatus } from "./decide.js";

/** The bridge's one side effect on the cluster: make sure a TranscodeJob exists. */
export interface JobCreator {
  /** Resolves when the job exists (created now, or already there); throws TerminalError or TransientError. */
  create(job: TranscodeJobInput): Promise<"created" | "exists">;
}

function message(err: unknown): string {
  if (err instanceof ApiException) {
    const body: unknown = err.body;
    const text = typeof body === "string" ? body : JSON.stringify(body);
    // Status bodies carry the apiserver's reason; keep it short for logs and the dead-letter record.
    try {
      const parsed = JSON.parse(text) as { message?: unknown };
      if (typeof parsed.message === "string") return `HTTP ${err.code}: ${parsed.message}`;
    } catch {
      // not JSON: fall through to the raw text
    }
    return `HTTP ${err.code}: ${text.slice(0, 500)}`;
  }
  return err instanceof Error ? err.message : String(err);
}

function retryAfterMs(err: ApiException<unknown>): number | undefined {
  const header = err.headers["retry-after"];
  const seconds = header === undefined ? NaN : Number(header);
  return Number.isFinite(seconds) ? seconds * 1000 : undefined;
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
      const status = err instanceof ApiException ? err.code : undefined;
      const kind = classifyCreateStatus(status);
      if (kind === "exists") return "exists";
      if (kind === "terminal") throw new TerminalError(message(err), "Invalid", { cause: err });
      throw new TransientError(message(err), err instanceof ApiException ? retryAfterMs(err) : undefined, { cause: err });
    }
  }
}
