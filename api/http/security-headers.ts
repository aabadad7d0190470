import type { Context, Next } from "koa";

/** Nothing this API answers is a document to render: no scripts, no frames, no plugins, not even as a sandboxed page. */
export const CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox";
export const HSTS = "max-age=31536000; includeSubDomains";

/**
 * The headers every response carries, errors included (set before the handler runs, kept by the problem writer):
 * nosniff, a CSP that lets nothing run, no referrer, and no-store unless a route says otherwise (responses hold
 * sessions' CSRF tokens, API tokens, presigned URLs, private job data). HSTS when sessions are Secure and the
 * request came over TLS (a browser ignores it over plain HTTP anyway).
 */
export function securityHeaders(o: { secure: boolean }) {
  return async (ctx: Context, next: Next): Promise<void> => {
    ctx.set("X-Content-Type-Options", "nosniff");
    ctx.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    ctx.set("Referrer-Policy", "no-referrer");
    ctx.set("X-Frame-Options", "DENY");
    ctx.set("Cache-Control", "no-store");
    if (o.secure && ctx.secure) ctx.set("Strict-Transport-Security", HSTS);
    await next();
  };
}
