export { TerminalError } from "./terminal-error.js";
export { TransientError } from "./transient-error.js";
export { HttpError } from "./http-error.js";
