import { z } from "zod";

/**
 * One parser per type of setting, shared by every process. Environment values are strings; these turn them into
 * typed values and say in words what was expected (the message names the variable, never echoes its value).
 */
export const text = () => z.string().min(1, "must not be empty");

/** true/false as people write them in env files and Helm values: true, false, 1, 0, yes, no, on, off. */
export const bool = () =>
  z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(["true", "false", "1", "0", "yes", "no", "on", "off"], { error: "must be true or false" }))
    .transform((v) => v === "true" || v === "1" || v === "yes" || v === "on");

export const int = (min: number, max: number) =>
  z.coerce.number({ error: "must be a whole number" }).int("must be a whole number").min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);

/** A comma-separated list; blanks dropped. */
export const csv = () =>
  z
    .string()
    .transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean));

/** A command line as a JSON array of strings (paths may hold spaces): ["node", "/app/transcoder.mjs"]. */
export const argv = () =>
  z
    .string()
    .transform((s, ctx) => {
      try {
        return JSON.parse(s) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: "must be a JSON array of strings" });
        return z.NEVER;
      }
    })
    .pipe(z.array(z.string().min(1), { error: "must be a JSON array of strings" }).min(1, "must name a program"));

/** A URL whose scheme is one of `schemes` (e.g. ["redis", "rediss"]). */
export const urlOf = (...schemes: string[]) =>
  z.string().refine((v) => {
    try {
      return schemes.includes(new URL(v).protocol.replace(/:$/, ""));
    } catch {
      return false;
    }
  }, `must be a ${schemes.map((s) => `${s}://`).join(" or ")} URL`);

/** A Kubernetes namespace name (RFC 1123 label). */
export const namespace = () => z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a Kubernetes namespace name").max(63);

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export const logLevel = () => z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(", ")}` });
