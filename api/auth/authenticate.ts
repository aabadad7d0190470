import type { Context } from "koa";
import { HttpError } from "../../lib/errors/index.js";
import type { Auth } from "../http/route.js";
import type { PlaybackTokens } from "../playback/token.js";
import { sessionUser, type CurrentUser } from "./current-user.js";
import type { RequestLimiter } from "./limiter.js";
import type { TokenStore } from "./tokens.js";

export interface AuthenticateDeps {
  tokens: TokenStore;
  tokenLimiter: RequestLimiter;
  playback: PlaybackTokens;
  onTokenRateLimited?: () => void;
}

const BEARER = /^Bearer +([\x21-\x7e]+) *$/i;

/** A 401 for a bearer token, with the RFC 6750 challenge. */
function badToken(message: string): HttpError {
  return new HttpError(401, message, { type: "invalid-token", field: "header.authorization", headers: { "WWW-Authenticate": 'Bearer error="invalid_token"' } });
}

/**
 * The routing layer's authentication (RouteOptions.authenticate): the session cookie, an API token sent as
 * Authorization: Bearer (no CSRF token needed: a cross-site page cannot set that header; the login limits do not
 * apply, the token's own request budget does), or a playback link's token. Sets ctx.state.user or
 * ctx.state.playback; throws the 401/403/429 HttpError otherwise.
 */
export function authenticator(deps: AuthenticateDeps) {
  return async (ctx: Context, auth: Exclude<Auth, "none">): Promise<void> => {
    if (auth === "link") return playbackLink(ctx, deps.playback);
    const header = ctx.get("authorization");
    if (!header) {
      ctx.state.user = sessionUser(ctx);
      return;
    }
    const m = BEARER.exec(header);
    if (!m) throw badToken("the Authorization header must be `Bearer <API token>`");
    if (auth === "session") {
      throw new HttpError(403, "this endpoint needs a signed-in session: API tokens cannot manage tokens or sessions", { type: "session-required", field: "header.authorization" });
    }
    const checked = await deps.tokens.check(m[1]!, new Date());
    if (!checked.ok) {
      if (checked.reason === "expired") throw badToken(`the API token expired at ${checked.expiresAt?.toISOString() ?? "?"}`);
      throw badToken(checked.reason === "revoked" ? "the API token was revoked" : "the API token is not valid");
    }
    const { token } = checked;
    const wait = await deps.tokenLimiter.hit(token.id);
    if (wait > 0) {
      deps.onTokenRateLimited?.();
      throw new HttpError(429, `this API token made too many requests; retry in ${wait} s`, { type: "rate-limited", headers: { "Retry-After": String(wait) } });
    }
    const missing = auth.scopes.filter((s) => !(token.scopes as readonly string[]).includes(s));
    if (missing.length) {
      throw new HttpError(403, `the API token lacks the scope ${missing.join(", ")}`, {
        type: "insufficient-scope",
        field: "header.authorization",
        headers: { "WWW-Authenticate": `Bearer error="insufficient_scope", scope="${auth.scopes.join(" ")}"` },
      });
    }
    const user: CurrentUser = { id: token.owner, email: token.email, via: "token", token: { id: token.id, scopes: token.scopes } };
    ctx.state.user = user;
  };
}

/**
 * A playback link: the token in `?token=` signs this job (the path's :id) and an expiry. Players and share links
 * carry no cookie, and fetch cross-origin: every answer, refusals included, allows any origin (no credentials).
 */
function playbackLink(ctx: Context & { params?: Record<string, string> }, tokens: PlaybackTokens): void {
  ctx.set("Access-Control-Allow-Origin", "*");
  const token = ctx.query.token;
  if (typeof token !== "string" || token === "") throw new HttpError(401, "a playback link needs its token (?token=)", { type: "invalid-link", field: "query.token" });
  const checked = tokens.verify(ctx.params?.id ?? "", token);
  if (!checked.ok) {
    if (checked.reason === "expired") {
      throw new HttpError(401, `the playback link expired at ${checked.expiresAt?.toISOString() ?? "?"}; GET /jobs/{id}/outputs gives a new one`, {
        type: "link-expired",
        field: "query.token",
      });
    }
    throw new HttpError(401, "the playback link is not valid for this job", { type: "invalid-link", field: "query.token" });
  }
  ctx.state.playback = checked.grant;
}
