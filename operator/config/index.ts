/** The operator's typed configuration, validated once at start-up. */
export { loadOperatorConfig, operatorSettings, type OperatorConfig } from "./config.js";
