/**
 * Who may do what, decided by the semantics of what the program registers, not by its string
 * shape: a small evaluator per cloud, for the parts of each policy language the program uses.
 * Anything outside that part throws, so a new construct cannot slip through as "allowed" or
 * "denied" by accident.
 *
 * - S3: IAM identity-policy statements (Allow/Deny; Action and Resource globs with `*` and `?`;
 *   `StringLike`/`StringEquals` conditions). An explicit Deny wins; no Allow is an implicit deny
 *   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
 *   A condition key the request does not carry fails `StringLike`/`StringEquals`.
 * - Cloud Storage: a bucket IAM member's role (its permissions, from
 *   https://cloud.google.com/storage/docs/access-control/iam-roles) and its condition, of which
 *   only `resource.name.startsWith("…")` is understood; `resource.name` is the object's
 *   `projects/_/buckets/<b>/objects/<name>`, or the bucket's `projects/_/buckets/<b>` for list.
 * - Blob: an Azure role assignment's role (its data actions) and its condition, parsed by a
 *   recursive-descent parser of the condition grammar
 *   (https://learn.microsoft.com/azure/role-based-access-control/conditions-format): `AND`, `OR`,
 *   `NOT`/`!`, parentheses, `ActionMatches{…}`, `SubOperationMatches{…}`, and
 *   `@Resource[…]`/`@Request[…]` with `StringStartsWith`/`StringEquals`. An action the role lacks
 *   is denied; a condition that is false denies the action.
 */
import { statements } from "../../offline/iam";

// ---------------------------------------------------------------------------------------------
// S3

/** A glob of IAM's: `*` any characters (also `/`), `?` one. */
function globMatches(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern
    .split("")
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`, ignoreCase ? "i" : "").test(value);
}

/** The values of a request's condition keys, e.g. `{"s3:prefix": "team-a/"}`. */
export type S3Context = Readonly<Record<string, string>>;

function conditionHolds(condition: Record<string, Record<string, unknown>>, ctx: S3Context) {
  return Object.entries(condition).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => {
      const values = (Array.isArray(expected) ? expected : [expected]) as string[];
      const actual = ctx[key];
      if (actual === undefined) return false;
      if (operator === "StringLike") return values.some((v) => globMatches(v, actual));
      if (operator === "StringEquals") return values.includes(actual);
      throw new Error(`access evaluator: condition operator ${operator} is not understood`);
    }),
  );
}

/** Whether the identity-policy documents allow `action` on `resource` (an ARN). */
export function s3Allows(
  documents: readonly unknown[],
  action: string,
  resource: string,
  ctx: S3Context = {},
): boolean {
  let allowed = false;
  for (const s of documents.flatMap((d) => statements(d))) {
    if (s.Principal !== undefined) throw new Error("access evaluator: identity policies only");
    const actionMatches = s.Action.some((a) => globMatches(a, action, true));
    const resourceMatches = s.Resource.some((r) => globMatches(r, resource));
    if (!actionMatches || !resourceMatches) continue;
    if (s.Condition && !conditionHolds(s.Condition, ctx)) continue;
    if (s.Effect === "Deny") return false;
    allowed = true;
  }
  return allowed;
}

// ---------------------------------------------------------------------------------------------
// Cloud Storage

/** The object permissions of the predefined roles the program grants. */
export const GCS_ROLE_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  "roles/storage.objectViewer": ["storage.objects.get", "storage.objects.list"],
  "roles/storage.objectUser": [
    "storage.objects.create",
    "storage.objects.delete",
    "storage.objects.get",
    "storage.objects.list",
    "storage.objects.update",
  ],
};

const STARTS_WITH = /^resource\.name\.startsWith\("([^"\\]*)"\)$/;

/** The prefix of `resource.name` a condition requires; throws on anything else. */
export function celPrefix(expression: string): string {
  const match = STARTS_WITH.exec(expression.trim());
  if (!match) throw new Error(`access evaluator: CEL ${JSON.stringify(expression)} not understood`);
  return match[1];
}

export interface GcsGrant {
  readonly member: string;
  readonly role: string;
  readonly condition?: { readonly expression: string } | null;
}

/** Whether any grant lets `member` use `permission` on the resource named `resourceName`. */
export function gcsAllows(
  grants: readonly GcsGrant[],
  member: string,
  permission: string,
  resourceName: string,
): boolean {
  return grants.some((g) => {
    if (g.member !== member) return false;
    const permissions = GCS_ROLE_PERMISSIONS[g.role];
    if (!permissions) throw new Error(`access evaluator: role ${g.role} not known`);
    if (!permissions.includes(permission)) return false;
    return !g.condition || resourceName.startsWith(celPrefix(g.condition.expression));
  });
}

/** IAM's name of an object, and of a bucket (what `storage.objects.list` is checked against). */
export const gcsObjectName = (bucket: string, key: string) =>
  `projects/_/buckets/${bucket}/objects/${key}`;
export const gcsBucketName = (bucket: string) => `projects/_/buckets/${bucket}`;

// ---------------------------------------------------------------------------------------------
// Blob

const BLOBS = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs";

/** The data actions of the built-in roles the program assigns, by role definition GUID. */
export const AZURE_ROLE_DATA_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  // Storage Blob Data Reader
  "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1": [`${BLOBS}/read`],
  // Storage Blob Data Contributor
  "ba92f5b4-2d11-453d-a403-e96b0029c9fe": [
    `${BLOBS}/delete`,
    `${BLOBS}/read`,
    `${BLOBS}/write`,
    `${BLOBS}/move/action`,
    `${BLOBS}/add/action`,
  ],
};

/** One Blob request, as the condition sees it. */
export interface BlobRequest {
  readonly action: string;
  readonly subOperation?: string;
  /** `@Resource[…/blobs:path]`: the blob's name (absent for list). */
  readonly path?: string;
  /** `@Request[…/blobs:prefix]`: the list request's prefix. */
  readonly prefix?: string;
}

type Node =
  | { readonly kind: "and" | "or"; readonly left: Node; readonly right: Node }
  | { readonly kind: "not"; readonly operand: Node }
  | { readonly kind: "action" | "subOperation"; readonly value: string }
  | {
      readonly kind: "attribute";
      readonly source: "Resource" | "Request";
      readonly name: string;
      readonly operator: string;
      readonly value: string;
    };

const TOKEN =
  /\s*(\(|\)|!|AND\b|OR\b|NOT\b|ActionMatches\{'[^']*'\}|SubOperationMatches\{'[^']*'\}|@(?:Resource|Request)\[[^\]]+\]|StringStartsWith\b|StringEquals\b|'[^']*')/y;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const match = TOKEN.exec(text);
    if (!match) {
      throw new Error(
        `access evaluator: condition not understood at ${text.slice(TOKEN.lastIndex, TOKEN.lastIndex + 40)}`,
      );
    }
    tokens.push(match[1]);
  }
  return tokens;
}

/** Parses an Azure role assignment condition (the subset above). */
export function parseCondition(text: string): Node {
  const tokens = tokenize(text);
  let at = 0;
  const peek = () => tokens[at];
  const take = (expected?: string) => {
    const t = tokens[at++];
    if (t === undefined || (expected !== undefined && t !== expected)) {
      throw new Error(`access evaluator: expected ${expected ?? "a token"}, got ${t}`);
    }
    return t;
  };
  const or = (): Node => {
    let left = and();
    while (peek() === "OR") {
      take();
      left = { kind: "or", left, right: and() };
    }
    return left;
  };
  const and = (): Node => {
    let left = unary();
    while (peek() === "AND") {
      take();
      left = { kind: "and", left, right: unary() };
    }
    return left;
  };
  const unary = (): Node => {
    const t = peek();
    if (t === "!" || t === "NOT") {
      take();
      return { kind: "not", operand: unary() };
    }
    if (t === "(") {
      take();
      const inner = or();
      take(")");
      return inner;
    }
    const token = take();
    const action = /^ActionMatches\{'([^']*)'\}$/.exec(token);
    if (action) return { kind: "action", value: action[1] };
    const sub = /^SubOperationMatches\{'([^']*)'\}$/.exec(token);
    if (sub) return { kind: "subOperation", value: sub[1] };
    const attribute = /^@(Resource|Request)\[([^\]]+)\]$/.exec(token);
    if (attribute) {
      const operator = take();
      const literal = /^'([^']*)'$/.exec(take());
      if (!literal) throw new Error("access evaluator: expected a string literal");
      return {
        kind: "attribute",
        source: attribute[1] as "Resource" | "Request",
        name: attribute[2],
        operator,
        value: literal[1],
      };
    }
    throw new Error(`access evaluator: unexpected ${token}`);
  };
  const tree = or();
  if (at !== tokens.length)
    throw new Error(`access evaluator: trailing ${tokens.slice(at).join(" ")}`);
  return tree;
}

function holds(node: Node, r: BlobRequest): boolean {
  switch (node.kind) {
    case "and":
      return holds(node.left, r) && holds(node.right, r);
    case "or":
      return holds(node.left, r) || holds(node.right, r);
    case "not":
      return !holds(node.operand, r);
    case "action":
      return node.value === r.action;
    case "subOperation":
      return node.value === r.subOperation;
    case "attribute": {
      const value =
        node.source === "Resource" && node.name === `${BLOBS}:path`
          ? r.path
          : node.source === "Request" && node.name === `${BLOBS}:prefix`
            ? r.prefix
            : (() => {
                throw new Error(`access evaluator: attribute ${node.name} not understood`);
              })();
      // An attribute the request does not carry makes the expression false.
      if (value === undefined) return false;
      if (node.operator === "StringStartsWith") return value.startsWith(node.value);
      if (node.operator === "StringEquals") return value === node.value;
      throw new Error(`access evaluator: operator ${node.operator} not understood`);
    }
  }
}

export interface AzureAssignment {
  readonly roleDefinitionId: string;
  readonly condition?: string;
  readonly conditionVersion?: string;
}

/** Whether any assignment lets its principal make `request`. */
export function blobAllows(assignments: readonly AzureAssignment[], request: BlobRequest): boolean {
  return assignments.some((a) => {
    const guid = a.roleDefinitionId.split("/").at(-1) ?? "";
    const actions = AZURE_ROLE_DATA_ACTIONS[guid];
    if (!actions) throw new Error(`access evaluator: role ${guid} not known`);
    if (!actions.includes(request.action)) return false;
    if (!a.condition) return true;
    if (a.conditionVersion !== "2.0")
      throw new Error("access evaluator: condition version not 2.0");
    return holds(parseCondition(a.condition), request);
  });
}

export const BLOB_ACTIONS = {
  read: `${BLOBS}/read`,
  write: `${BLOBS}/write`,
  add: `${BLOBS}/add/action`,
  delete: `${BLOBS}/delete`,
  move: `${BLOBS}/move/action`,
} as const;
