/** Narrow Redis stream replies (which ioredis types loosely) into the shapes the bridge uses. */

export type StreamEntry = [id: string, fields: string[] | null];

function isStringArray(x: unknown): x is string[] {
  return Array.isArray(x) && x.every((v) => typeof v === "string");
}

export function asEntries(x: unknown): StreamEntry[] {
  if (!Array.isArray(x)) return [];
  const out: StreamEntry[] = [];
  for (const e of x) {
    if (Array.isArray(e) && typeof e[0] === "string") out.push([e[0], isStringArray(e[1]) ? e[1] : null]);
  }
  return out;
}

/**
 * XREADGROUP/XREAD of one stream: [[stream, entries]], or null when the block timed out. ioredis 6's
 * generic `call` hands back the single stream unwrapped ([stream, entries]), so both shapes are read.
 */
export function parseReadGroup(reply: unknown): StreamEntry[] {
  if (!Array.isArray(reply)) return [];
  const first: unknown = reply[0];
  if (typeof first === "string") return asEntries(reply[1]);
  return Array.isArray(first) ? asEntries(first[1]) : [];
}

/** XAUTOCLAIM (Redis 7+): [nextCursor, entries, deletedIds]. */
export function parseAutoClaim(reply: unknown): { cursor: string; entries: StreamEntry[]; deleted: string[] } {
  if (!Array.isArray(reply) || typeof reply[0] !== "string") throw new Error("unexpected XAUTOCLAIM reply");
  const deleted: unknown = reply[2];
  return { cursor: reply[0], entries: asEntries(reply[1]), deleted: isStringArray(deleted) ? deleted : [] };
}

/** XPENDING key group start end count: [[id, consumer, idleMs, deliveries]]; the delivery count of the first row. */
export function parsePendingDeliveries(reply: unknown): number | undefined {
  if (!Array.isArray(reply)) return undefined;
  const row: unknown = reply[0];
  if (!Array.isArray(row)) return undefined;
  const n = Number(row[3]);
  return Number.isFinite(n) ? n : undefined;
}

/** XPENDING key group (summary): [count, smallestId|null, greatestId|null, consumers|null]. */
export function parsePendingSummary(reply: unknown): { count: number; smallest: string | undefined } {
  if (!Array.isArray(reply)) return { count: 0, smallest: undefined };
  const smallest: unknown = reply[1];
  return { count: Number(reply[0]) || 0, smallest: typeof smallest === "string" ? smallest : undefined };
}

/** XINFO GROUPS / XINFO CONSUMERS: a list of flat [k1, v1, k2, v2, ...] arrays. */
export function parseInfoList(reply: unknown): Record<string, unknown>[] {
  if (!Array.isArray(reply)) return [];
  return reply.filter(Array.isArray).map((flat: unknown[]) => {
    const obj: Record<string, unknown> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) obj[String(flat[i])] = flat[i + 1];
    return obj;
  });
}

export function fieldValue(fields: readonly string[] | null, name: string): string | undefined {
  if (!fields) return undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}
