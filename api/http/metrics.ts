import type { Context, Next } from "koa";
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export interface ApiMetrics {
  registry: Registry;
  middleware: (ctx: Context, next: Next) => Promise<void>;
  loginFailures: Counter;
  rateLimited: Counter;
  tokenRateLimited: Counter;
  jobsCreated: Counter;
  /** Job reads by where they were served from: the watch cache, the apiserver, the MongoDB record. */
  jobReads: Counter<"source">;
}

/** One registry per app (tests build several apps in one process, so the global registry would collide). */
export function createMetrics(opts: { defaultMetrics: boolean }): ApiMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: "api_http_requests_total",
    help: "HTTP requests by method, route template and status",
    labelNames: ["method", "route", "status"],
    registers: [registry],
  });
  const duration = new Histogram({
    name: "api_http_request_duration_seconds",
    help: "HTTP request latency by method and route template",
    labelNames: ["method", "route"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const loginFailures = new Counter({ name: "api_login_failures_total", help: "Failed logins", registers: [registry] });
  const rateLimited = new Counter({ name: "api_login_rate_limited_total", help: "Logins refused by the rate limit", registers: [registry] });
  const tokenRateLimited = new Counter({ name: "api_token_rate_limited_total", help: "API-token requests refused by the token's rate limit", registers: [registry] });
  const jobsCreated = new Counter({ name: "api_jobs_created_total", help: "TranscodeJobs created through the API", registers: [registry] });
  const jobReads = new Counter({ name: "api_job_reads_total", help: "TranscodeJob reads by source (cache, apiserver, record)", labelNames: ["source"], registers: [registry] });
  const middleware = async (ctx: Context, next: Next): Promise<void> => {
    const end = process.hrtime.bigint();
    try {
      await next();
    } finally {
      // Label by route template, never the raw path: ids in paths would explode the series count.
      const matched = (ctx as Context & { _matchedRoute?: unknown })._matchedRoute;
      const route = typeof matched === "string" ? matched : "unmatched";
      requests.inc({ method: ctx.method, route, status: String(ctx.status) });
      duration.observe({ method: ctx.method, route }, Number(process.hrtime.bigint() - end) / 1e9);
    }
  };
  return { registry, middleware, loginFailures, rateLimited, tokenRateLimited, jobsCreated, jobReads };
}
