import { z } from "zod";
import { API_VERSION, KIND } from "./constants.js";
import { TranscodeJobSpec } from "./spec.js";
import { TranscodeJobStatus } from "./status.js";

// client-node hands timestamps back as Date from typed APIs and as strings from CustomObjectsApi.
const timestamp = z.union([z.string(), z.date()]);

/** The part of ObjectMeta the project reads; other fields pass through untouched. */
export const ObjectMeta = z.looseObject({
  name: z.string().optional(),
  generateName: z.string().optional(),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  generation: z.number().int().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  finalizers: z.array(z.string()).optional(),
  creationTimestamp: timestamp.optional(),
  deletionTimestamp: timestamp.optional(),
});
export type ObjectMeta = z.infer<typeof ObjectMeta>;

export const TranscodeJob = z.object({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal(KIND),
  metadata: ObjectMeta,
  spec: TranscodeJobSpec,
  status: TranscodeJobStatus.optional(),
});
export type TranscodeJob = z.infer<typeof TranscodeJob>;
export type TranscodeJobInput = z.input<typeof TranscodeJob>;
