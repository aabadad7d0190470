/** Reads the IAM documents a resource carries (a JSON string, or an object while it is still an input). */
export interface IamStatement {
  Effect?: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
}

const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export function statementsOf(policy: unknown): IamStatement[] {
  let doc: unknown = policy;
  if (typeof policy === "string") {
    try {
      doc = JSON.parse(policy);
    } catch {
      return [];
    }
  }
  const s = (doc as { Statement?: unknown } | undefined)?.Statement;
  return (Array.isArray(s) ? s : s === undefined ? [] : [s]) as IamStatement[];
}

/** Allow statements that grant a wildcard action on every resource, or use NotAction/NotResource. */
export function wildcardFindings(policy: unknown): string[] {
  return statementsOf(policy).flatMap((st, i) => {
    if (st.Effect !== "Allow") return [];
    if (st.NotAction !== undefined || st.NotResource !== undefined) return [`statement ${i} allows with NotAction/NotResource`];
    const wildActions = asList(st.Action).filter((a) => a.includes("*"));
    if (wildActions.length && asList(st.Resource).includes("*")) return [`statement ${i} allows ${wildActions.join(", ")} on *`];
    return [];
  });
}

/** The IAM documents of a resource, by its Pulumi type. */
export function iamDocumentsOf(type: string, props: Record<string, unknown>): unknown[] {
  switch (type) {
    case "aws:iam/rolePolicy:RolePolicy":
    case "aws:iam/policy:Policy":
    case "aws:iam/userPolicy:UserPolicy":
    case "aws:iam/groupPolicy:GroupPolicy":
      return [props.policy];
    case "aws:iam/role:Role":
      return ((props.inlinePolicies as { policy?: unknown }[] | undefined) ?? []).map((p) => p.policy);
    default:
      return [];
  }
}
