import { setTimeout as sleep } from "node:timers/promises";
import type { Registry } from "prom-client";

/** Polls `check` until it returns true (errors count as false); fails with `what` after `timeoutMs`. */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 20_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await Promise.resolve().then(check).catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/**
 * Waits until the metric's exposition text matches every pattern. A component counts an event once its own reply is
 * back (an XACK, a MULTI), which can be a moment after a test's own query already sees the effect; a bare assertion
 * right after that query is a race. Fails with the last text seen.
 */
export async function waitForMetric(registry: Registry, name: string, patterns: RegExp | RegExp[], timeoutMs = 3_000): Promise<void> {
  const all = Array.isArray(patterns) ? patterns : [patterns];
  let text = "";
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    text = await registry.getSingleMetricAsString(name);
    if (all.every((p) => p.test(text))) return;
    if (Date.now() > deadline) throw new Error(`${name} did not match ${all.join(", ")} within ${timeoutMs} ms; last:\n${text}`);
    await sleep(50);
  }
}
