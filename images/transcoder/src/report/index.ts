export { ProgressThrottle, type ProgressUpdate } from "./throttle.js";
export { RedisReporter, type Reporter, type RedisReporterOptions } from "./reporter.js";
