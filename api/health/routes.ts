import { z } from "zod";
import { defineRoute, type AnyRoute } from "../http/route.js";

const HealthView = z.object({ status: z.literal("ok") });

/**
 * The public port's unauthenticated routes. Readiness and /metrics are on the internal port only (api/server.ts):
 * readiness pings every dependency, metrics describe the traffic; neither is for the internet. /healthz stays here
 * for load balancers that check the port they forward to: it answers from the process alone.
 */
export function healthRoutes(openapi: () => unknown): AnyRoute[] {
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
