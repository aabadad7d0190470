import type { Logger } from "../lib/log.js";
import type { PasswordHasher } from "./auth/passwords.js";
import type { LoginLimiter, RequestLimiter } from "./auth/limiter.js";
import type { TokenStore } from "./auth/tokens.js";
import type { redisSessionStore } from "./auth/session-store.js";
import type { UserStore } from "./auth/users.js";
import type { ApiConfig } from "./config.js";
import type { ApiMetrics } from "./http/metrics.js";
import type { JobsCluster } from "./jobs/cluster.js";
import type { JobHistory } from "./jobs/history.js";
import type { ProgressFeed } from "./jobs/progress.js";
import type { PlaybackTokens } from "./playback/token.js";
import type { MultipartPlans } from "./uploads/plans.js";
import type { UploadStorage } from "./uploads/storage.js";

/** A named readiness check: resolves when the dependency answers, rejects otherwise. */
export interface ReadinessCheck {
  name: string;
  check: () => Promise<void>;
}

/** Everything the Koa app talks to, each behind a port so the app itself is only routing and validation. */
export interface ApiDeps {
  config: ApiConfig;
  log: Logger;
  metrics: ApiMetrics;
  users: UserStore;
  passwords: PasswordHasher;
  limiter: LoginLimiter;
  /** API tokens (Authorization: Bearer) and each token's request budget. */
  tokens: TokenStore;
  tokenLimiter: RequestLimiter;
  /** Signs and checks playback links. */
  playback: PlaybackTokens;
  sessionStore: ReturnType<typeof redisSessionStore>;
  storage: UploadStorage;
  /** What each multipart upload was planned as (size, parts), kept server-side. */
  multipartPlans: MultipartPlans;
  /** TranscodeJobs: reads from the watch cache (read-your-writes), writes to the apiserver. */
  jobs: JobsCluster;
  /** MongoDB job records, read when a TranscodeJob no longer exists. */
  history: JobHistory;
  progress: ProgressFeed;
  /** What the internal port's /readyz checks. */
  readiness: ReadinessCheck[];
}
