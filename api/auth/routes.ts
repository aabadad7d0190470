import { randomBytes } from "node:crypto";
import { HttpError } from "../../lib/errors/index.js";
import { defineRoute, type AnyRoute } from "../http/route.js";
import { problemResponses } from "../http/responses.js";
import type { ApiDeps } from "../deps.js";
import { clearSession, currentUser, sessionOf } from "./current-user.js";
import { LoginBody, MeView, SessionView, SignupBody, UserView } from "./schemas.js";
import { EmailTakenError } from "./users.js";

/** What sign-up and sign-in use: the user store, the password hasher, the login limiter, metrics. */
export type AuthRouteDeps = Pick<ApiDeps, "users" | "passwords" | "limiter" | "metrics" | "sessionStore">;

export function authRoutes(deps: AuthRouteDeps): AnyRoute[] {
  const tooMany = (wait: number) => {
    deps.metrics.rateLimited.inc();
    return new HttpError(429, `too many attempts; retry in ${wait} s`, { headers: { "Retry-After": String(wait) }, type: "rate-limited" });
  };
  // Verified against when the email is unknown, so a miss costs as much as a hit and timing tells nothing.
  const decoy = deps.passwords.hash(randomBytes(16).toString("hex"));
  decoy.catch(() => undefined);

  return [
    defineRoute({
      method: "post",
      path: "/auth/signup",
      operationId: "signup",
      summary: "Create an account",
      tags: ["auth"],
      auth: "none",
      body: SignupBody,
      responses: {
        201: { description: "Account created (not signed in)", schema: UserView },
        ...problemResponses(400, 409, 413, 415, 429),
      },
      handler: async (ctx, { body }) => {
        // Hashing is the expensive part of signup, so signups spend the same per-IP budget as logins.
        const wait = await deps.limiter.attempt(ctx.ip);
        if (wait > 0) throw tooMany(wait);
        const hash = await deps.passwords.hash(body.password);
        try {
          const user = await deps.users.create(body.email, hash);
          ctx.status = 201;
          ctx.body = { id: user.id, email: user.email };
        } catch (err) {
          if (err instanceof EmailTakenError) {
            throw new HttpError(409, "an account with this email already exists", { field: "body.email" });
          }
          throw err;
        }
      },
    }),
    defineRoute({
      method: "post",
      path: "/auth/login",
      operationId: "login",
      summary: "Sign in; sets the session cookie and returns the CSRF token",
      tags: ["auth"],
      auth: "none",
      body: LoginBody,
      responses: {
        200: { description: "Signed in", schema: SessionView },
        ...problemResponses(400, 401, 413, 415, 429),
      },
      handler: async (ctx, { body }) => {
        // Reserved before the (slow) verification, in one Redis script: parallel guesses are each counted first.
        const wait = await deps.limiter.reserve(body.email, ctx.ip);
        if (wait > 0) throw tooMany(wait);
        const user = await deps.users.findByEmail(body.email);
        let ok = false;
        if (user) ok = await deps.passwords.verify(user.passwordHash, body.password);
        else await deps.passwords.verify(await decoy, body.password);
        if (!user || !ok) {
          // Already counted by the reservation.
          deps.metrics.loginFailures.inc();
          throw new HttpError(401, "wrong email or password", { type: "bad-credentials" });
        }
        await deps.limiter.succeed(body.email, ctx.ip);
        const session = sessionOf(ctx);
        if (!session) throw new Error("session middleware missing");
        const csrf = randomBytes(24).toString("base64url");
        session.uid = user.id;
        session.email = user.email;
        session.csrf = csrf;
        // The absolute lifetime counts from here; the idle one from the latest request (api/app.ts).
        session.createdAt = session.seenAt = Date.now();
        // A new id on every login: a session id planted before sign-in (fixation) is worthless after it.
        await session.regenerate();
        ctx.body = { user: { id: user.id, email: user.email }, csrfToken: csrf };
      },
    }),
    defineRoute({
      method: "post",
      path: "/auth/logout",
      operationId: "logout",
      summary: "Sign out; the session is deleted server-side",
      tags: ["auth"],
      auth: "session",
      responses: { 204: { description: "Signed out" }, ...problemResponses(401, 403) },
      handler: (ctx) => {
        clearSession(ctx);
        ctx.status = 204;
      },
    }),
    defineRoute({
      method: "post",
      path: "/auth/logout-everywhere",
      operationId: "logoutEverywhere",
      summary: "Sign out everywhere: every session of the user is deleted server-side, and their open progress streams end",
      tags: ["auth"],
      auth: "session",
      responses: { 204: { description: "Every session ended" }, ...problemResponses(401, 403) },
      handler: async (ctx) => {
        const { id } = currentUser(ctx);
        await deps.sessionStore.destroyAll(id);
        clearSession(ctx);
        ctx.status = 204;
      },
    }),
    defineRoute({
      method: "get",
      path: "/auth/me",
      operationId: "me",
      summary: "Who is asking: the signed-in user and the session's CSRF token, or the API token's owner and the token",
      tags: ["auth"],
      auth: { scopes: [] },
      responses: { 200: { description: "The current user", schema: MeView }, ...problemResponses(401, 429) },
      handler: (ctx) => {
        const { id, email, via, token } = currentUser(ctx);
        ctx.body = via === "session" ? { user: { id, email }, csrfToken: sessionOf(ctx)?.csrf ?? "" } : { user: { id, email }, token };
      },
    }),
  ];
}
