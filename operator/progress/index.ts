/** Task progress and results from Redis (contract 2). */
export { RedisProgressReader } from "./redis-progress.js";
export { ResultNotices } from "./result-notices.js";
