import type { z } from "zod";

/**
 * One setting of one or more processes: its schema (type, bounds, default), what it is for, whether its value is
 * secret (never logged, never in a ConfigMap), and the names it had before (read for one release, with a warning).
 * The variable's name is its key in the settings map that holds it: one name, one place.
 */
export interface Setting<S extends z.ZodType = z.ZodType> {
  schema: S;
  doc: string;
  secret?: boolean;
  /** Deprecated names still read when the current one is unset. */
  aliases?: readonly string[];
}

export type Settings = Record<string, Setting>;

/** The typed configuration a settings map parses into. */
export type ConfigOf<T extends Settings> = { [K in keyof T]: z.output<T[K]["schema"]> };

export function setting<S extends z.ZodType>(schema: S, doc: string, more: Omit<Setting<S>, "schema" | "doc"> = {}): Setting<S> {
  return { schema, doc, ...more };
}
