/** Reading the values schema back: each key's description, type and default, for values.yaml and the README. */
import type { z } from "zod";

interface Def {
  type: string;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  options?: z.ZodType[];
  entries?: Record<string, string>;
  element?: z.ZodType;
}

const def = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;
const WRAPPERS = new Set(["default", "prefault", "optional", "nullable"]);

/** The schema under default/prefault/optional, and the first description met on the way down. */
export function unwrap(s: z.ZodType): { inner: z.ZodType; description: string | undefined } {
  let inner = s;
  let description = s.description;
  while (WRAPPERS.has(def(inner).type)) {
    inner = def(inner).innerType!;
    description ??= inner.description;
  }
  return { inner, description };
}

/** The keys of an object schema (undefined for anything else). */
export function shapeOf(s: z.ZodType): Record<string, z.ZodType> | undefined {
  const d = def(unwrap(s).inner);
  return d.type === "object" ? d.shape : undefined;
}

/** A short type label: string, integer, boolean, list, map, `A` \| `B`, "integer or string". */
export function typeLabel(s: z.ZodType, path = ""): string {
  if (isEnvMap(path)) return "settings";
  const inner = unwrap(s).inner;
  const d = def(inner);
  switch (d.type) {
    case "enum":
      return Object.values(d.entries ?? {})
        .map((v) => `\`${v}\``)
        .join(" \\| ");
    case "union":
      return [...new Set((d.options ?? []).map((o) => typeLabel(o)))].join(" or ");
    case "array":
      return "list";
    case "record":
      return "map";
    case "number":
      return (inner as unknown as { format?: string }).format?.includes("int") ? "integer" : "number";
    default:
      return d.type;
  }
}

export interface Field {
  /** Dotted path from the root of the values. */
  path: string;
  schema: z.ZodType;
  description: string | undefined;
}

/** Every key of an object schema, depth first; objects with keys are walked into, everything else is a leaf. */
export function fields(schema: z.ZodType, prefix = ""): Field[] {
  const out: Field[] = [];
  for (const [key, s] of Object.entries(shapeOf(schema) ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    const nested = shapeOf(s);
    if (nested && Object.keys(nested).length > 0 && !isEnvMap(path)) out.push(...fields(s, path));
    else out.push({ path, schema: s, description: unwrap(s).description });
  }
  return out;
}

/** `env` maps are documented in their own table (one row per setting), not walked as values. */
export const isEnvMap = (path: string): boolean => path === "env" || path.endsWith(".env");
