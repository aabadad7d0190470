/** One configuration scheme for every process: shared fragments, one parser per type, one error, one loader. */
export { argv, bool, csv, int, logLevel, namespace, text, urlOf, LOG_LEVELS } from "./parsers.js";
export { setting, type Setting, type Settings, type ConfigOf } from "./setting.js";
export { ConfigError, EXIT_CONFIG } from "./config-error.js";
export { loadConfig, describeDefault, type Loaded, type LoadOptions } from "./load.js";
export * as fragments from "./fragments.js";
