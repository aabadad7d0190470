import { z } from "zod";
import { CSRF_HEADER } from "../auth/current-user.js";
import { SCOPES } from "../auth/scopes.js";
import type { AnyRoute, Auth } from "../http/route.js";

export const SESSION_COOKIE = "tj.sid";

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const out = z.toJSONSchema(schema, { io, unrepresentable: "any", target: "draft-2020-12" }) as JsonSchema;
  delete out.$schema;
  return out;
}

/** "/jobs/:id" -> "/jobs/{id}" */
export function openApiPath(koaPath: string): string {
  return koaPath.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
}

function parameters(schema: z.ZodType | undefined, where: "path" | "query" | "header"): JsonSchema[] {
  if (!schema) return [];
  const js = jsonSchema(schema, "input");
  const props = (js.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((js.required ?? []) as string[]);
  return Object.entries(props).map(([name, s]) => {
    const { description, ...rest } = s;
    return {
      name,
      in: where,
      required: where === "path" ? true : required.has(name),
      schema: rest,
      ...(typeof description === "string" ? { description } : {}),
    };
  });
}

/** A route's security requirements: any one of them admits the request. */
function security(auth: Auth): Record<string, string[]>[] {
  if (auth === "none") return [];
  if (auth === "link") return [{ playbackToken: [] }];
  if (auth === "session") return [{ session: [] }];
  return [{ session: [] }, { bearer: [...auth.scopes] }];
}

/**
 * The OpenAPI 3.1 document, generated from the same route table and zod schemas the router validates with.
 * OpenAPI 3.1 schemas are JSON Schema 2020-12, which is what z.toJSONSchema emits.
 */
export function buildOpenApi(routes: readonly AnyRoute[], info: { title: string; version: string }): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const params = [...parameters(r.params, "path"), ...parameters(r.query, "query"), ...parameters(r.headers, "header")];
    if (r.auth !== "none" && r.auth !== "link" && r.method !== "get") {
      const withToken = r.auth !== "session";
      params.push({
        name: CSRF_HEADER,
        in: "header",
        required: !withToken,
        description: `The csrfToken from login or /auth/me, with the session cookie${withToken ? " (not with a bearer token)" : ""}`,
        schema: { type: "string" },
      });
    }
    const responses: Record<string, unknown> = {};
    for (const [status, spec] of Object.entries(r.responses)) {
      const entry: Record<string, unknown> = { description: spec.description };
      if (spec.schema || spec.contentType) {
        const type = spec.contentType ?? "application/json";
        entry.content = { [type]: spec.schema ? { schema: jsonSchema(spec.schema, "output") } : {} };
      }
      responses[status] = entry;
    }
    const op: Record<string, unknown> = {
      operationId: r.operationId,
      summary: r.summary,
      tags: r.tags,
      responses,
      ...(params.length ? { parameters: params } : {}),
      ...(r.body ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(r.body, "input") } } } } : {}),
      security: security(r.auth),
    };
    const p = openApiPath(r.path);
    paths[p] = { ...(paths[p] ?? {}), [r.method]: op };
  }
  return {
    openapi: "3.1.0",
    info: { title: info.title, version: info.version },
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    paths,
    components: {
      securitySchemes: {
        session: { type: "apiKey", in: "cookie", name: SESSION_COOKIE, description: "Session cookie set by POST /auth/login; writes also send X-CSRF-Token" },
        bearer: {
          type: "http",
          scheme: "bearer",
          description: `An API token (POST /auth/tokens) as Authorization: Bearer <token>; no CSRF token. Scopes: ${Object.entries(SCOPES)
            .map(([s, d]) => `${s} (${d})`)
            .join(", ")}. Revoked or expired: 401; a missing scope: 403; over its request budget: 429.`,
        },
        playbackToken: {
          type: "apiKey",
          in: "query",
          name: "token",
          description: "The token of a playback link from GET /jobs/{id}/outputs: plays that job's HLS outputs until it expires, without a cookie",
        },
      },
    },
  };
}
