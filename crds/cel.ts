/**
 * CEL rules travel inside zod metadata under the OpenAPI extension key, so each rule sits next to the zod
 * check that enforces the same thing at runtime and the generator copies it into the CRD untouched.
 */
export interface CelRule {
  rule: string;
  message: string;
  /** Relative path (".a.b") the apiserver reports the error on; defaults to the field holding the rule. */
  fieldPath?: string;
  reason?: "FieldValueInvalid" | "FieldValueForbidden" | "FieldValueRequired" | "FieldValueDuplicate";
}

export const CEL_KEY = "x-kubernetes-validations";

export function celRules(...rules: CelRule[]): { [CEL_KEY]: CelRule[] } {
  return { [CEL_KEY]: rules };
}

/** `self == oldSelf` for a field that is always present (required or defaulted). */
export function immutable(field: string): CelRule {
  return {
    rule: "self == oldSelf",
    message: `${field} is immutable: only spec.suspend and spec.priority may change after creation`,
  };
}

/**
 * Field-level transition rules do not run when an optional field is added or removed, so optional fields are
 * guarded from their parent object instead.
 */
export function immutableOptional(field: string): CelRule {
  return {
    rule: `has(self.${field}) == has(oldSelf.${field}) && (!has(self.${field}) || self.${field} == oldSelf.${field})`,
    message: `spec.${field} is immutable: only spec.suspend and spec.priority may change after creation`,
    fieldPath: `.${field}`,
  };
}
