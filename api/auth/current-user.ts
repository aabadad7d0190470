import { timingSafeEqual } from "node:crypto";
import type { Context } from "koa";
import { HttpError } from "../../lib/errors/index.js";

/** Who is asking, once the routing layer has authenticated the request (ctx.state.user). */
export interface CurrentUser {
  id: string;
  email: string;
  /** How: the session cookie, or an API token (then its id and scopes). */
  via: "session" | "token";
  token?: { id: string; scopes: readonly string[] };
}

/** The fields this API keeps in a koa-session session. */
export interface SessionData {
  uid?: string;
  email?: string;
  csrf?: string;
  /** Sign-in time and latest request, ms since the epoch (api/auth/session-store.ts sessionDeadline). */
  createdAt?: number;
  seenAt?: number;
}

interface KoaSession extends SessionData {
  regenerate(): Promise<void> | undefined;
}

export function sessionOf(ctx: Context): KoaSession | null {
  return (ctx as unknown as { session: KoaSession | null }).session;
}

export function clearSession(ctx: Context): void {
  (ctx as unknown as { session: KoaSession | null }).session = null;
}

export const CSRF_HEADER = "x-csrf-token";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function sameToken(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

/**
 * The signed-in user from the session cookie. Writes must also carry the session's CSRF token in X-CSRF-Token: a
 * cross-site page can make the browser send the cookie but cannot read or set that header.
 */
export function sessionUser(ctx: Context): CurrentUser {
  const s = sessionOf(ctx);
  if (!s?.uid || !s.email) {
    throw new HttpError(401, "sign in first (no valid session), or send an API token as Authorization: Bearer", { type: "unauthenticated" });
  }
  if (!SAFE_METHODS.has(ctx.method)) {
    const sent = ctx.get(CSRF_HEADER);
    if (!s.csrf || !sent || !sameToken(sent, s.csrf)) {
      throw new HttpError(403, `cookie-authenticated writes need the session's CSRF token in the ${CSRF_HEADER} header`, {
        field: `header.${CSRF_HEADER}`,
        type: "csrf",
      });
    }
  }
  return { id: s.uid, email: s.email, via: "session" };
}

/** The user the routing layer authenticated for this request; a route declared without auth has none (a bug). */
export function currentUser(ctx: Context): CurrentUser {
  const user = ctx.state.user as CurrentUser | undefined;
  if (!user) throw new Error("currentUser() on a route that does not authenticate");
  return user;
}
