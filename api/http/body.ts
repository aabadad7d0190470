import type { Context } from "koa";
import { HttpError } from "../../lib/errors/index.js";

/**
 * Reads a JSON request body with a hard size limit. Only application/json is accepted: a cross-site HTML form
 * cannot send that type without a CORS preflight, which is half of the CSRF defence.
 */
export async function readJsonBody(ctx: Context, limitBytes: number): Promise<unknown> {
  const type = ctx.request.type;
  const length = ctx.request.length;
  if (type !== "application/json") {
    throw new HttpError(415, "the request body must be application/json", { field: "header.content-type" });
  }
  if (length !== undefined && length > limitBytes) {
    throw new HttpError(413, `the request body exceeds ${limitBytes} bytes`, { field: "body" });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limitBytes) {
      throw new HttpError(413, `the request body exceeds ${limitBytes} bytes`, { field: "body" });
    }
    chunks.push(buf);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") throw new HttpError(400, "the request body is empty; a JSON object is required", { field: "body" });
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, "the request body is not valid JSON", { field: "body" });
  }
}
