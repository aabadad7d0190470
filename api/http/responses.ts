import { z } from "zod";
import type { ResponseSpec } from "./route.js";

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    field: z.string().optional().describe("The offending input, e.g. body.email, path.id, query.limit"),
    requestId: z.string(),
  })
  .describe("RFC 9457 problem details");

const DESCRIPTIONS: Record<number, string> = {
  400: "Malformed or invalid input",
  401: "Not signed in",
  403: "Missing or wrong CSRF token",
  404: "No such resource (or not yours)",
  409: "Conflict",
  413: "Body too large",
  415: "Body is not application/json",
  422: "Input is well-formed but cannot be acted on",
  429: "Rate limited; see Retry-After",
  503: "A dependency is unavailable",
};

/** Problem+json response entries for the given statuses. */
export function problemResponses(...statuses: number[]): Record<number, ResponseSpec> {
  const out: Record<number, ResponseSpec> = {};
  for (const s of statuses) {
    out[s] = { description: DESCRIPTIONS[s] ?? "Error", schema: ProblemSchema, contentType: "application/problem+json" };
  }
  return out;
}
