export { runTask, resultFromError, type TaskDeps } from "./run-task.js";
export { buildManifest, type Manifest, type ManifestFile } from "./manifest.js";
export { measureRendition, variantOf, type MeasuredRendition } from "./measure.js";
