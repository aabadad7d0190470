/** The lifecycle of every long-running entrypoint. */
export { runMain, EXIT, type MainSpec, type Running } from "./run-main.js";
