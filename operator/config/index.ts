/** The operator's typed configuration, validated once at start-up. */
export { loadOperatorConfig, ConfigError, type OperatorConfig } from "./config.js";
