import { withTimeout } from "../../lib/clock.js";
import type { Probe } from "../../lib/http/index.js";
import type { Logger } from "../../lib/log.js";
import type { ReadinessCheck } from "../deps.js";

const CHECK_TIMEOUT_MS = 2000;

/**
 * The API's readiness for the internal port's /readyz: every dependency at once, each within its own timeout, named
 * in the body ({checks: {redis: "ok", ...}}) so an operator sees which one is down.
 */
export async function checkReadiness(checks: readonly ReadinessCheck[], log: Logger): Promise<Probe> {
  const results = await Promise.all(
    checks.map(async (r) => {
      try {
        await withTimeout(r.check(), CHECK_TIMEOUT_MS, "timeout");
        return [r.name, "ok"] as const;
      } catch (err) {
        const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : undefined;
        log.warn({ check: r.name, err: err instanceof Error ? err.message : String(err), cause }, "readiness check failed");
        return [r.name, "failed"] as const;
      }
    }),
  );
  return { ok: results.every(([, s]) => s === "ok"), details: { checks: Object.fromEntries(results) } };
}
