/** Task progress and results from Redis (the task contract, lib/task-contract). */
export { RedisProgressReader } from "./redis-progress.js";
export { ResultNotices } from "./result-notices.js";
