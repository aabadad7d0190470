import type { Condition, ConditionType } from "../ports/index.js";

/**
 * metav1.Condition semantics: lastTransitionTime changes only when status flips; reason, message and
 * observedGeneration always follow the latest observation.
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  next: { type: ConditionType; status: Condition["status"]; reason: string; message: string },
  generation: number | undefined,
  nowIso: string,
): Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === next.type);
  const prev = i >= 0 ? list[i] : undefined;
  const cond: Condition = {
    type: next.type,
    status: next.status,
    reason: next.reason,
    message: next.message,
    lastTransitionTime: prev && prev.status === next.status ? prev.lastTransitionTime : nowIso,
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
  };
  if (i >= 0) list[i] = cond;
  else list.push(cond);
  return list;
}

export function getCondition(conditions: readonly Condition[] | undefined, type: ConditionType): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}
