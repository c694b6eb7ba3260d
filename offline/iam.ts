/** Reads IAM policy documents the way IAM does: Statement, Action and Resource may be scalars. */

export interface Statement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: unknown;
  readonly Action: string[];
  readonly Resource: string[];
  readonly Condition?: Record<string, Record<string, unknown>>;
}

const list = (v: unknown): string[] =>
  v === undefined ? [] : Array.isArray(v) ? (v as string[]) : [v as string];

/** Parses a policy document (JSON string or object) into statements with array fields. */
export function statements(policy: unknown): Statement[] {
  const doc = (typeof policy === "string" ? JSON.parse(policy) : policy) as {
    Statement: unknown;
  };
  const raw = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  return raw.map((s: any) => ({
    ...s,
    Action: list(s.Action).sort(),
    Resource: list(s.Resource).sort(),
  }));
}
