import { createHmac, timingSafeEqual } from "node:crypto";

/** A playback link's grant: this job's outputs may be played until `expiresAt`. */
export interface PlaybackGrant {
  job: string;
  expiresAt: Date;
}

export type PlaybackCheck = { ok: true; grant: PlaybackGrant } | { ok: false; reason: "invalid" | "expired"; expiresAt?: Date };

const FORMAT = /^([0-9a-z]{1,10})\.([A-Za-z0-9_-]{22})$/;

/**
 * Playback tokens: "<expiry, unix seconds in base 36>.<HMAC-SHA256 of namespace, job name and expiry, 128 bits>",
 * stateless, so any API replica verifies them and nothing is stored. The HMAC keys are derived from the session
 * keys (API_SESSION_KEYS, newest first: a rotation keeps older links working until they expire) with their own
 * label, so a playback token can never pass for a session signature or the other way round.
 */
export class PlaybackTokens {
  private readonly keys: Buffer[];

  constructor(
    sessionKeys: readonly string[],
    private readonly namespace: string,
    readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    if (sessionKeys.length === 0) throw new Error("playback tokens need at least one key");
    this.keys = sessionKeys.map((k) => createHmac("sha256", k).update("transcode-control-plane playback token v1").digest());
  }

  private mac(key: Buffer, job: string, exp: number): Buffer {
    return createHmac("sha256", key).update(`${this.namespace}\n${job}\n${exp}`).digest().subarray(0, 16);
  }

  issue(job: string): { token: string; expiresAt: Date } {
    const exp = Math.floor(this.now() / 1000) + this.ttlSeconds;
    return { token: `${exp.toString(36)}.${this.mac(this.keys[0]!, job, exp).toString("base64url")}`, expiresAt: new Date(exp * 1000) };
  }

  verify(job: string, token: string): PlaybackCheck {
    const m = FORMAT.exec(token);
    if (!m) return { ok: false, reason: "invalid" };
    const exp = Number.parseInt(m[1]!, 36);
    const sent = Buffer.from(m[2]!, "base64url");
    if (!this.keys.some((k) => timingSafeEqual(this.mac(k, job, exp), sent))) return { ok: false, reason: "invalid" };
    const expiresAt = new Date(exp * 1000);
    if (exp * 1000 <= this.now()) return { ok: false, reason: "expired", expiresAt };
    return { ok: true, grant: { job, expiresAt } };
  }
}
