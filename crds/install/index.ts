// Separate from crds/index.ts so that importing the schema does not pull in the Kubernetes client.
export { applyCrd, crdObject, type ApplyCrdOptions } from "./apply.js";
