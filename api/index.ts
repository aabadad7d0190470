// The REST API's public surface: build the app from ports (tests, embedded mode) or start it from config.
export { loadApiConfig, apiSettings, type ApiConfig } from "./config.js";
export { createApp, type ApiApp } from "./app.js";
export { startApi, type RunningApi, type StartOptions } from "./server.js";
export type { ApiDeps, ReadinessCheck } from "./deps.js";
export { buildOpenApi, openApiPath, SESSION_COOKIE } from "./openapi/document.js";
export { CSRF_HEADER } from "./auth/current-user.js";
