import { z } from "zod";
import type { ApiDeps } from "../deps.js";
import { defineRoute, type AnyRoute } from "../http/route.js";

const HealthView = z.object({ status: z.enum(["ok", "unavailable"]), checks: z.record(z.string(), z.enum(["ok", "failed"])).optional() });

const CHECK_TIMEOUT_MS = 2000;

function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("timeout")), ms);
    p.then(resolve, reject).finally(() => clearTimeout(t));
  });
}

/** What the probes and the metrics route use. */
export type HealthRouteDeps = Pick<ApiDeps, "readiness" | "log" | "metrics">;

export function healthRoutes(deps: HealthRouteDeps, openapi: () => unknown): AnyRoute[] {
  return [
    defineRoute({
      method: "get",
      path: "/healthz",
      operationId: "healthz",
      summary: "Liveness: the process serves requests",
      tags: ["ops"],
      auth: "none",
      responses: { 200: { description: "Alive", schema: HealthView } },
      handler: (ctx) => {
        ctx.body = { status: "ok" };
      },
    }),
    defineRoute({
      method: "get",
      path: "/readyz",
      operationId: "readyz",
      summary: "Readiness: Redis, MongoDB, the Kubernetes API and S3 answer",
      tags: ["ops"],
      auth: "none",
      responses: { 200: { description: "Ready", schema: HealthView }, 503: { description: "A dependency is down", schema: HealthView } },
      handler: async (ctx) => {
        const results = await Promise.all(
          deps.readiness.map(async (r) => {
            try {
              await withTimeout(r.check(), CHECK_TIMEOUT_MS);
              return [r.name, "ok"] as const;
            } catch (err) {
              const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : undefined;
              deps.log.warn({ check: r.name, err: err instanceof Error ? err.message : String(err), cause }, "readiness check failed");
              return [r.name, "failed"] as const;
            }
          }),
        );
        const ok = results.every(([, s]) => s === "ok");
        ctx.status = ok ? 200 : 503;
        ctx.body = { status: ok ? "ok" : "unavailable", checks: Object.fromEntries(results) };
      },
    }),
    defineRoute({
      method: "get",
      path: "/metrics",
      operationId: "metrics",
      summary: "Prometheus metrics",
      tags: ["ops"],
      auth: "none",
      responses: { 200: { description: "Prometheus text format", contentType: "text/plain" } },
      handler: async (ctx) => {
        ctx.type = deps.metrics.registry.contentType;
        ctx.body = await deps.metrics.registry.metrics();
      },
    }),
    defineRoute({
      method: "get",
      path: "/openapi.json",
      operationId: "openapi",
      summary: "This API's OpenAPI 3.1 document",
      tags: ["ops"],
      auth: "none",
      responses: { 200: { description: "OpenAPI 3.1 document", contentType: "application/json" } },
      handler: (ctx) => {
        ctx.body = openapi();
      },
    }),
  ];
}
