/**
 * Turns the JSON Schema zod emits into a Kubernetes structural schema. What the apiserver demands and zod
 * does not give: no additionalProperties next to properties, a `type` on every node, no $ref/anyOf/oneOf/allOf
 * (they would need the value-validation-only form, which nothing here needs), no JSON Schema keywords the
 * apiserver rejects. Anything it cannot translate is an error, so a new zod construct fails the generator
 * loudly instead of producing a CRD that the apiserver refuses or, worse, silently accepts too much.
 */
export type JsonSchema = Record<string, unknown>;

const SAFE_MAX = Number.MAX_SAFE_INTEGER;

// Keys the CRD schema may carry, in the order they read best in the YAML and in `kubectl explain`.
const KEY_ORDER = [
  "description",
  "type",
  "format",
  "enum",
  "default",
  "minimum",
  "exclusiveMinimum",
  "maximum",
  "exclusiveMaximum",
  "multipleOf",
  "minLength",
  "maxLength",
  "pattern",
  "minItems",
  "maxItems",
  "uniqueItems",
  "minProperties",
  "maxProperties",
  "required",
  "properties",
  "additionalProperties",
  "items",
  "nullable",
  "x-kubernetes-list-type",
  "x-kubernetes-list-map-keys",
  "x-kubernetes-map-type",
  "x-kubernetes-preserve-unknown-fields",
  "x-kubernetes-embedded-resource",
  "x-kubernetes-int-or-string",
  "x-kubernetes-validations",
] as const;
const ALLOWED = new Set<string>(KEY_ORDER);

export class StructuralSchemaError extends Error {
  override readonly name = "StructuralSchemaError";
}

export function toStructural(schema: JsonSchema, path = "<root>"): JsonSchema {
  const src: JsonSchema = { ...schema };
  delete src.$schema;
  for (const bad of ["$ref", "$defs", "definitions", "anyOf", "oneOf", "allOf", "not"]) {
    if (bad in src) throw new StructuralSchemaError(`${path}: "${bad}" cannot be expressed in a structural schema`);
  }
  // zod bounds z.int() by the safe-integer range; int64 in the apiserver is already narrower than that matters.
  if (src.minimum === -SAFE_MAX) delete src.minimum;
  if (src.maximum === SAFE_MAX) delete src.maximum;
  // zod spells the RFC 3339 check as a long regex; the apiserver checks format: date-time itself.
  if (src.format === "date-time") delete src.pattern;
  if (src.properties !== undefined && src.additionalProperties === false) delete src.additionalProperties;
  // zod emits exclusive bounds as numbers (draft 2020-12); OpenAPI v3.0 wants booleans beside minimum/maximum.
  for (const [ex, plain] of [
    ["exclusiveMinimum", "minimum"],
    ["exclusiveMaximum", "maximum"],
  ] as const) {
    if (typeof src[ex] === "number") {
      src[plain] = src[ex];
      src[ex] = true;
    }
  }

  const type = src.type;
  if (typeof type !== "string") throw new StructuralSchemaError(`${path}: every node needs a single "type"`);
  const out: JsonSchema = {};
  for (const key of Object.keys(src)) {
    if (!ALLOWED.has(key)) throw new StructuralSchemaError(`${path}: keyword "${key}" is not allowed in a CRD schema`);
  }
  for (const key of KEY_ORDER) {
    if (!(key in src)) continue;
    const v = src[key];
    if (key === "properties") {
      const props = v as Record<string, JsonSchema>;
      out.properties = Object.fromEntries(
        Object.entries(props).map(([name, p]) => [name, toStructural(p, `${path}.${name}`)]),
      );
    } else if (key === "items") {
      out.items = toStructural(v as JsonSchema, `${path}[]`);
    } else if (key === "additionalProperties" && typeof v === "object" && v !== null) {
      out.additionalProperties = toStructural(v as JsonSchema, `${path}{}`);
    } else {
      out[key] = v;
    }
  }
  if (type === "array" && out.items === undefined) throw new StructuralSchemaError(`${path}: an array needs "items"`);
  return out;
}
