import type { Context } from "koa";
import type { z } from "zod";
import { HttpError } from "../../lib/errors/index.js";
import { readJsonBody } from "./body.js";

export type Method = "get" | "post" | "delete";

/**
 * Who may call a route: anyone; only a signed-in user (the session cookie); a signed-in user or an API token
 * (Authorization: Bearer) holding every scope named; or whoever holds the route's signed link (a playback token in
 * the query). The routing layer checks it before any input is read.
 */
export type Auth = "none" | "session" | { scopes: readonly string[] } | "link";

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** Defaults to application/json when a schema is given. */
  contentType?: string;
  headers?: Record<string, { description: string; schema: z.ZodType }>;
}

export interface Input<P, Q, B, H> {
  params: P;
  query: Q;
  body: B;
  headers: H;
}

/**
 * One route, described once: the router is built from it and so is the OpenAPI document, so the two cannot
 * drift. Inputs are parsed by the zod schemas before the handler runs; the handler sees typed values only.
 */
export interface RouteSpec<P = unknown, Q = unknown, B = unknown, H = unknown> {
  method: Method;
  /** Koa-router path, e.g. "/jobs/:id". */
  path: string;
  operationId: string;
  summary: string;
  tags: string[];
  auth: Auth;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** Only the named headers are validated; others pass through untouched. */
  headers?: z.ZodType<H>;
  responses: Record<number, ResponseSpec>;
  handler: (ctx: Context, input: Input<P, Q, B, H>) => Promise<void> | void;
}

// The table mixes routes of different input types; the handler's input type is checked where each is defined.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteSpec<any, any, any, any>;

export function defineRoute<P = undefined, Q = undefined, B = undefined, H = undefined>(
  spec: RouteSpec<P, Q, B, H>,
): AnyRoute {
  return spec;
}

/** Turns a zod failure into a 400 naming the first offending field and saying precisely what is wrong. */
export function validationError(error: z.ZodError, where: "body" | "query" | "path" | "header"): HttpError {
  const issue = error.issues[0];
  const path = issue?.path.map(String).join(".") ?? "";
  const field = path ? `${where}.${path}` : where;
  let message = issue?.message ?? "invalid input";
  if (issue?.code === "unrecognized_keys") message = `unknown field(s): ${issue.keys.join(", ")}`;
  return new HttpError(400, `${field}: ${message}`, { field, type: "validation-error" });
}

export function parseWith<T>(schema: z.ZodType<T>, value: unknown, where: "body" | "query" | "path" | "header"): T {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(result.error, where);
  return result.data;
}

export interface RouteOptions {
  bodyLimitBytes: number;
  /** Who is asking, for every route whose auth is not "none": throws the 401/403/429 HttpError when nobody (allowed) is. */
  authenticate: (ctx: Context, auth: Exclude<Auth, "none">) => Promise<void> | void;
}

/** Koa middleware that validates every input of `route` and calls its handler. */
export function routeMiddleware(route: AnyRoute, options: RouteOptions) {
  return async (ctx: Context & { params?: Record<string, string> }): Promise<void> => {
    // Who is asking comes before what they sent: an anonymous or cross-site write gets 401/403, not a 400.
    if (route.auth !== "none") await options.authenticate(ctx, route.auth);
    const params: unknown = route.params ? parseWith(route.params, ctx.params ?? {}, "path") : undefined;
    const query: unknown = route.query ? parseWith(route.query, { ...ctx.query }, "query") : undefined;
    const headers: unknown = route.headers ? parseWith(route.headers, { ...ctx.headers }, "header") : undefined;
    let body: unknown;
    if (route.body) {
      body = parseWith(route.body, await readJsonBody(ctx, options.bodyLimitBytes), "body");
    }
    await route.handler(ctx, { params, query, body, headers });
  };
}
