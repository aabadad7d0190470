/** Task progress and results from Redis (contract 2). */
export { RedisProgressReader } from "./redis-progress.js";
