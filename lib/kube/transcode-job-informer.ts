import { GROUP, PLURAL, VERSION, type TranscodeJob } from "../../crds/index.js";
import { createInformer } from "./informer.js";
import type { Informer, InformerOptions } from "./informer-types.js";
import type { KubeObject } from "./objects.js";

/** A list+watch informer of TranscodeJobs (all namespaces unless `namespace` is given): the operator's and the API's. */
export function createTranscodeJobInformer<T extends KubeObject = TranscodeJob>(options: Omit<InformerOptions, "group" | "version" | "plural">): Informer<T> {
  return createInformer<T>({ ...options, group: GROUP, version: VERSION, plural: PLURAL });
}
