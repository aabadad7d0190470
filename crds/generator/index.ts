export { crdManifest, openApiV3Schema, PRINTER_COLUMNS, SELECTABLE_FIELDS } from "./crd.js";
export { renderCrdYaml, GENERATED_PATH } from "./render.js";
export { toStructural, StructuralSchemaError, type JsonSchema } from "./structural.js";
export { tenancyPolicyManifest, tenancyBindingManifests, tenancyParams, TENANCY_POLICY_NAME, type TenancyBindingOptions } from "./admission-policy.js";
