import { z } from "zod";
import {
  API_VERSION,
  CATEGORIES,
  CRD_NAME,
  FILENAME_ANNOTATION,
  GROUP,
  KIND,
  LIST_KIND,
  MAX_NAME_LENGTH,
  PLURAL,
  SHORT_NAMES,
  SINGULAR,
  VERSION,
} from "../constants.js";
import { TranscodeJobSpec } from "../spec.js";
import { TranscodeJobStatus } from "../status.js";
import { type JsonSchema, toStructural } from "./structural.js";

/** What a client may write, so defaulted fields are optional in the schema and carry their `default`. */
function openApi(schema: z.ZodType): JsonSchema {
  return toStructural(z.toJSONSchema(schema, { io: "input", target: "openapi-3.0", unrepresentable: "throw" }));
}

export const PRINTER_COLUMNS = [
  { name: "Phase", type: "string", jsonPath: ".status.phase", description: "Where the job is in its lifecycle." },
  { name: "Progress", type: "number", jsonPath: ".status.progress.percent", description: "Percent of the source encoded." },
  { name: "Attempts", type: "integer", jsonPath: ".status.attempts", description: "Tasks started so far." },
  { name: "Reason", type: "string", jsonPath: ".status.reason", description: "Why the job is in this phase." },
  { name: "Position", type: "integer", jsonPath: ".status.queuePosition", description: "Place in the admission queue while Queued." },
  { name: "Admission", type: "string", jsonPath: '.status.conditions[?(@.type=="Admitted")].message', description: "Why a Queued job waits (a free slot, its owner's limit, a backoff), or its admission." },
  { name: "File", type: "string", jsonPath: `.metadata.annotations.${FILENAME_ANNOTATION.replaceAll(".", "\\.")}`, description: "The uploaded file's name." },
  { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
  { name: "Started", type: "date", jsonPath: ".status.startedAt", priority: 1, description: "When the first task started." },
  { name: "Duration", type: "string", jsonPath: ".status.duration", priority: 1, description: "Run time of a finished job, first start to end." },
  { name: "Task", type: "string", jsonPath: ".status.taskRef.id", priority: 1, description: "The current task's id." },
] as const;

/** `kubectl get tj --field-selector spec.owner=alice,status.phase=Running` (server-side filtering). */
export const SELECTABLE_FIELDS = [{ jsonPath: ".spec.owner" }, { jsonPath: ".status.phase" }] as const;

/** The root schema of the version: the envelope is written here, spec and status come from zod. */
export function openApiV3Schema(): JsonSchema {
  return {
    description:
      "A TranscodeJob turns one uploaded video into an adaptive-bitrate ladder (HLS and/or MP4 renditions plus a poster). " +
      "At most five jobs transcode at once across the cluster; the rest wait in priority order. Deleting a job cancels it.",
    type: "object",
    required: ["spec"],
    properties: {
      apiVersion: {
        description: `APIVersion defines the versioned schema of this representation of an object. Always "${API_VERSION}".`,
        type: "string",
      },
      kind: { description: `Kind is a string value representing the REST resource this object represents. Always "${KIND}".`, type: "string" },
      metadata: { type: "object" },
      spec: openApi(TranscodeJobSpec),
      status: openApi(TranscodeJobStatus),
    },
    "x-kubernetes-validations": [
      {
        rule: `self.metadata.name.size() <= ${MAX_NAME_LENGTH}`,
        message: `metadata.name must be at most ${MAX_NAME_LENGTH} characters: it becomes part of S3 keys and label values`,
      },
    ],
  };
}

/** The CustomResourceDefinition object (apiextensions.k8s.io/v1), ready to apply. */
export function crdManifest() {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: {
      name: CRD_NAME,
      labels: { "app.kubernetes.io/name": "transcode-control-plane", "app.kubernetes.io/component": "crd" },
    },
    spec: {
      group: GROUP,
      scope: "Namespaced",
      names: { plural: PLURAL, singular: SINGULAR, kind: KIND, listKind: LIST_KIND, shortNames: [...SHORT_NAMES], categories: [...CATEGORIES] },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          schema: { openAPIV3Schema: openApiV3Schema() },
          subresources: { status: {} },
          additionalPrinterColumns: PRINTER_COLUMNS.map((c) => ({ ...c })),
          selectableFields: SELECTABLE_FIELDS.map((f) => ({ ...f })),
        },
      ],
    },
  };
}
