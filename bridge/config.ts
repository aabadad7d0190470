import { bool, fragments as f, int, loadConfig, setting, text, type ConfigOf, type Loaded } from "../lib/config/index.js";
import { LEGACY_LIST, OWNER_ID_PATTERN } from "../lib/uploads/index.js";

const ms = (def: number) => int(1, 7 * 24 * 3600_000).default(def);

/** The bridge's settings: the shared fragments plus its own, read from the environment once, at start. */
export const bridgeSettings = {
  ...f.logging,
  ...f.lifecycle,
  ...f.http,
  ...f.kube,
  ...f.redis,
  ...f.uploadStream,
  ...f.tenancy,
  ...f.uploadLimits,
  BRIDGE_GROUP: setting(text().default("bridge"), "Redis consumer group of the bridge replicas"),
  BRIDGE_CONSUMER: setting(text().optional(), "This replica's consumer name; unset: <hostname>-<pid>"),
  BRIDGE_MAX_DELIVERIES: setting(int(1, 1000).default(8), "Deliveries of one entry before it is dead-lettered"),
  BRIDGE_CLAIM_IDLE_MS: setting(ms(30_000), "An entry pending this long on a dead replica is claimed by another"),
  BRIDGE_CLAIM_INTERVAL_MS: setting(ms(5_000), "How often pending entries are looked for"),
  BRIDGE_BATCH_SIZE: setting(int(1, 1000).default(32), "Entries read per XREADGROUP"),
  BRIDGE_BLOCK_MS: setting(ms(2_000), "XREADGROUP block time"),
  BRIDGE_RETENTION_MS: setting(ms(24 * 3600_000), "Acknowledged entries older than this are trimmed from the stream"),
  BRIDGE_HOUSEKEEPING_INTERVAL_MS: setting(ms(60_000), "How often the stream is trimmed and idle consumers removed"),
  BRIDGE_CONSUMER_IDLE_MS: setting(ms(3600_000), "A consumer idle this long (a gone replica) is removed from the group"),
  LEGACY_DRAIN: setting(bool().default(false), "Migration from the original service: also drain its Redis list into the stream"),
  LEGACY_LIST: setting(text().default(LEGACY_LIST), "The original service's Redis list"),
  LEGACY_BUCKET: setting(text().optional(), "Bucket of the legacy list's object URLs when they do not name one"),
  LEGACY_OWNER: setting(text().regex(OWNER_ID_PATTERN, "must be an owner id").default("legacy"), "Owner of jobs drained from the legacy list"),
  LEGACY_POLL_MS: setting(ms(1_000), "How often the legacy list is polled"),
};
export type BridgeConfig = ConfigOf<typeof bridgeSettings>;

export function loadBridgeConfig(env: Record<string, string | undefined> = process.env): Loaded<BridgeConfig> {
  return loadConfig("bridge", bridgeSettings, env, { refine: f.tenancyProblems });
}
