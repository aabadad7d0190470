import { randomBytes } from "node:crypto";
import Router from "@koa/router";
import Koa from "koa";
import createSession from "koa-session";
import { HttpError } from "../lib/errors/index.js";
import { authenticator } from "./auth/authenticate.js";
import { clearSession, sessionOf, type SessionData } from "./auth/current-user.js";
import { authRoutes } from "./auth/routes.js";
import { sessionDeadline } from "./auth/session-store.js";
import { tokenRoutes } from "./auth/token-routes.js";
import type { ApiDeps } from "./deps.js";
import { healthRoutes } from "./health/routes.js";
import { problemMiddleware } from "./http/problem.js";
import { securityHeaders } from "./http/security-headers.js";
import { requestIdMiddleware } from "./http/request-id.js";
import { routeMiddleware, type AnyRoute } from "./http/route.js";
import { jobRoutes } from "./jobs/routes.js";
import { SESSION_COOKIE, buildOpenApi } from "./openapi/document.js";
import { playbackRoutes } from "./playback/routes.js";
import { uploadRoutes } from "./uploads/routes.js";

export interface ApiApp {
  app: Koa;
  router: Router;
  routes: AnyRoute[];
  openapi: Record<string, unknown>;
}

const SESSIONLESS = new Set(["/healthz", "/openapi.json"]);

export const API_TITLE = "Transcode control plane API";
export const API_VERSION_STRING = "0.1.0";

/**
 * The Koa app: a thin transport over the route table. Middleware order matters: request id first (every
 * later line can quote it), metrics outside the problem writer (so they see final statuses), sessions inside.
 */
export function createApp(deps: ApiDeps): ApiApp {
  const { config } = deps;
  // maxIpsCount 1: take the address the (one) trusted proxy appended, not the client-supplied leftmost entry.
  const app = new Koa({ proxy: config.trustProxy, maxIpsCount: 1, keys: config.sessionKeys });
  let document: Record<string, unknown> = {};
  const routes: AnyRoute[] = [
    ...healthRoutes(() => document),
    ...authRoutes(deps),
    ...tokenRoutes(deps),
    ...uploadRoutes(deps),
    ...jobRoutes(deps),
    ...playbackRoutes(deps),
  ];
  document = buildOpenApi(routes, { title: API_TITLE, version: API_VERSION_STRING });

  // Errors Koa sees outside the middleware chain (mostly a client hanging up mid-stream) go to pino, not stderr.
  app.on("error", (err: { code?: unknown }, ctx?: { state?: { requestId?: unknown } }) => {
    const hangup = ["ERR_STREAM_PREMATURE_CLOSE", "ECONNRESET", "EPIPE"].includes(String(err.code));
    deps.log[hangup ? "debug" : "warn"]({ err, requestId: ctx?.state?.requestId }, "response stream error");
  });
  app.use(requestIdMiddleware(deps.log));
  app.use(deps.metrics.middleware);
  app.use(problemMiddleware(deps.log));
  app.use(securityHeaders({ secure: config.secure }));
  const session = createSession(
      {
        key: SESSION_COOKIE,
        store: deps.sessionStore,
        maxAge: config.session.absoluteMs,
        httpOnly: true,
        sameSite: "lax",
        secure: config.secure,
        signed: true,
        rolling: false,
        renew: true,
        genid: () => randomBytes(24).toString("base64url"),
      },
    app,
  );
  // Load balancers' checks carry no session; skipping the store keeps them answering while Redis is down.
  app.use((ctx, next) => {
    if (SESSIONLESS.has(ctx.path)) return next();
    // A Secure cookie cannot be set on a plain-http request; say so instead of failing inside koa-session.
    if (config.secure && !ctx.secure) {
      throw new HttpError(403, "this API must be reached over HTTPS (session cookies are Secure)", { type: "https-required" });
    }
    return session(ctx, () => sessionLifetime(ctx, next));
  });

  // Absolute and idle lifetime (the store expires the key by the same deadlines): a session past either is gone
  // before any route sees it; an active one is marked seen at most once per a tenth of the idle time.
  const touchEveryMs = Math.min(60_000, Math.floor(config.session.idleMs / 10));
  const sessionLifetime = (ctx: Koa.Context, next: Koa.Next) => {
    const s = sessionOf(ctx) as SessionData | null;
    if (s?.uid) {
      const now = Date.now();
      const deadline = sessionDeadline({ createdAt: s.createdAt ?? now, seenAt: s.seenAt ?? now }, config.session);
      if (deadline <= now) clearSession(ctx);
      else if (typeof s.seenAt !== "number" || now - s.seenAt >= touchEveryMs) s.seenAt = now;
    }
    return next();
  };

  const router = new Router();
  const authenticate = authenticator({ tokens: deps.tokens, tokenLimiter: deps.tokenLimiter, playback: deps.playback, onTokenRateLimited: () => deps.metrics.tokenRateLimited.inc() });
  for (const r of routes) router[r.method](r.path, routeMiddleware(r, { bodyLimitBytes: config.bodyLimitBytes, authenticate }));
  app.use(router.routes());
  // A method no route implements (TRACE, CONNECT, ...) on a path that exists is 405 with its Allow header, as one a
  // route lacks: the router's 501 would read as a server error (RFC 9110 15.6.2 keeps 501 for the server as a whole).
  app.use(async (ctx, next) => {
    await next();
    if (ctx.status === 501 && (ctx.body === undefined || ctx.body === null)) ctx.status = 405;
  });
  app.use(router.allowedMethods());
  return { app, router, routes, openapi: document };
}
