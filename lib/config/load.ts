import type { z } from "zod";
import { ConfigError } from "./config-error.js";
import type { ConfigOf, Settings } from "./setting.js";

export interface Loaded<T> {
  config: T;
  /** One line per deprecated name that was used; the process logs them once its logger exists. */
  warnings: string[];
}

export interface LoadOptions<T> {
  /** Rules across settings (e.g. ECS settings required when LAUNCHER=ecs); return problems by variable. */
  refine?: (config: T) => { variable: string; message: string }[];
}

/**
 * Reads a process's settings from the environment once, at start-up. Unset and empty values count as unset, so
 * a Helm value rendered as "" falls back to the documented default. Deprecated names are read when the current
 * one is unset. Every problem is reported at once in one ConfigError.
 */
export function loadConfig<T extends Settings>(process: string, settings: T, env: Record<string, string | undefined>, options: LoadOptions<ConfigOf<T>> = {}): Loaded<ConfigOf<T>> {
  const input: Record<string, string> = {};
  const warnings: string[] = [];
  for (const [name, s] of Object.entries(settings)) {
    const value = present(env[name]);
    if (value !== undefined) {
      input[name] = value;
      continue;
    }
    for (const alias of s.aliases ?? []) {
      const old = present(env[alias]);
      if (old === undefined) continue;
      input[name] = old;
      warnings.push(`${alias} is deprecated and will be removed in the next release: set ${name} instead`);
      break;
    }
  }
  // Each setting on its own, so that one bad value does not hide the cross-setting rules of the others.
  const parsed: Record<string, unknown> = {};
  const problems: { variable: string; message: string }[] = [];
  for (const [name, s] of Object.entries(settings)) {
    const r = s.schema.safeParse(input[name]);
    if (r.success) parsed[name] = r.data;
    else problems.push({ variable: name, message: input[name] === undefined ? "is required" : (r.error.issues[0]?.message ?? "is invalid") });
  }
  const config = parsed as ConfigOf<T>;
  problems.push(...(options.refine?.(config) ?? []));
  if (problems.length) throw new ConfigError(process, problems);
  return { config, warnings };
}

function present(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === "" ? undefined : v;
}

/** What the docs table says of a setting's default: the value parsed from nothing, "required" or "unset". */
export function describeDefault(schema: z.ZodType): string {
  const r = schema.safeParse(undefined);
  if (!r.success) return "required";
  if (r.data === undefined) return "unset";
  const v: unknown = r.data;
  if (Array.isArray(v)) return v.length ? v.join(",") : "(empty)";
  return typeof v === "object" && v !== null ? JSON.stringify(v) : String(v);
}
