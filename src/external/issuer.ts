/**
 * The issuer check of an external cluster. AWS STS, Microsoft Entra ID and Google STS (for a pool
 * provider with an `issuerUri` and no uploaded key set, as this program creates it) each fetch
 * `<issuer>/.well-known/openid-configuration` and then its `jwks_uri` when a token is presented,
 * and accept the token only if the document's `issuer` is the token's `iss`, character for
 * character (OpenID Connect Discovery 1.0 §4.3: "The issuer value returned MUST be identical to
 * the Issuer URL"). A mismatch, even a trailing `/`, otherwise shows up only as a 403 from the
 * storage cloud when the verification Job runs.
 *
 * `IssuerCheck` is a dynamic resource (in `@pulumi/pulumi`, no extra package) whose create fetches
 * both documents from the machine running `pulumi up` and fails the update, naming
 * `oidcIssuerUrl`, when they would not do. Under mocks (`npm run plan`, the tests) a dynamic
 * resource is only recorded, never created: offline the check is skipped.
 */
import * as pulumi from "@pulumi/pulumi";

/** What one GET returned: the status and body, or the error that prevented an answer. */
export interface HttpResult {
  readonly status?: number;
  readonly body?: string;
  readonly error?: string;
}

export interface IssuerCheckDeps {
  readonly get: (url: string) => Promise<HttpResult>;
  readonly sleep: (ms: number) => Promise<void>;
}

export interface IssuerCheckSchedule {
  /** Tries per document, at least 1: a network error or a 5xx is tried again. */
  readonly attempts: number;
  readonly intervalMs: number;
}

/** What the check found: the key set's address and how many keys it holds. */
export interface IssuerCheckResult {
  readonly jwksUri: string;
  readonly keys: number;
}

/**
 * The discovery document's address: the issuer with any terminating `/` removed, then
 * `/.well-known/openid-configuration` (OpenID Connect Discovery 1.0 §4).
 */
export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
}

/** GETs `url` until it answers (retrying network errors and 5xx); the last answer. */
async function fetchWithRetry(
  url: string,
  deps: IssuerCheckDeps,
  schedule: IssuerCheckSchedule,
): Promise<HttpResult> {
  let last: HttpResult = {};
  for (let attempt = 1; attempt <= schedule.attempts; attempt++) {
    last = await deps.get(url);
    const retry = last.status === undefined || last.status >= 500;
    if (!retry) return last;
    if (attempt < schedule.attempts) await deps.sleep(schedule.intervalMs);
  }
  return last;
}

function seen(result: HttpResult): string {
  return result.status !== undefined ? `HTTP ${result.status}` : (result.error ?? "no answer");
}

/** The JSON object in a 200's body, or undefined. */
function jsonObject(result: HttpResult): Record<string, unknown> | undefined {
  if (result.status !== 200 || result.body === undefined) return undefined;
  try {
    const value = JSON.parse(result.body) as unknown;
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Fetches the issuer's discovery document and its key set, and throws a message naming
 * `oidcIssuerUrl`, what was found and what to fix when the storage clouds would refuse the
 * cluster's tokens: the document cannot be fetched, its `issuer` is not exactly `issuer`, its
 * `jwks_uri` is not https, or the key set holds no keys. An unreachable issuer fails too: with no
 * key set uploaded anywhere, AWS, Entra and Google all fetch these same documents themselves.
 */
export async function checkIssuer(
  issuer: string,
  deps: IssuerCheckDeps,
  schedule: IssuerCheckSchedule,
): Promise<IssuerCheckResult> {
  const key = `config \`oidcIssuerUrl\` (${JSON.stringify(issuer)})`;
  const publicly =
    "AWS STS, Microsoft Entra ID and Google STS fetch it from the internet when a token is " +
    "presented, so it must be publicly reachable over https";
  const url = discoveryUrl(issuer);
  const answer = await fetchWithRetry(url, deps, schedule);
  const discovery = jsonObject(answer);
  if (!discovery) {
    throw new Error(
      `${key}: ${url} gave no discovery document (${seen(answer)}${answer.status === 200 ? ", not a JSON object" : ""}); ` +
        `${publicly} (for the API server's own endpoint, allow anonymous reads: ` +
        "`kubectl create clusterrolebinding oidc-reviewer --clusterrole=system:service-account-issuer-discovery --group=system:unauthenticated`)",
    );
  }
  if (discovery.issuer !== issuer) {
    throw new Error(
      `${key}: the discovery document at ${url} names issuer ${JSON.stringify(discovery.issuer)}, ` +
        "and the cluster's tokens carry that in `iss`; the storage clouds compare it character for " +
        `character (a trailing "/" counts) and would refuse every token with a 403. ` +
        `Set oidcIssuerUrl to exactly ${JSON.stringify(discovery.issuer)}`,
    );
  }
  const jwksUri = discovery.jwks_uri;
  if (typeof jwksUri !== "string" || !jwksUri.startsWith("https://")) {
    throw new Error(
      `${key}: the discovery document at ${url} gives jwks_uri ${JSON.stringify(jwksUri)}; ${publicly}, ` +
        "so it must be an https:// URL (on a self-managed API server, set --service-account-jwks-uri)",
    );
  }
  const keysAnswer = await fetchWithRetry(jwksUri, deps, schedule);
  const keys = jsonObject(keysAnswer)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new Error(
      `${key}: the key set at ${jwksUri} (the discovery document's jwks_uri) gave no keys (${seen(keysAnswer)}); ` +
        `${publicly}. A jwks_uri on the API server's internal address is the usual cause ` +
        "(set --service-account-jwks-uri to a public https:// URL serving the keys)",
    );
  }
  return { jwksUri, keys: keys.length };
}

/** The real GET, from the machine running `pulumi up`: no credentials, a 30 s timeout. */
function httpsGet(url: string): Promise<HttpResult> {
  // Required here, not imported: this code is serialized into the dynamic provider.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const https = require("node:https") as typeof import("node:https");
  return new Promise<HttpResult>((resolve) => {
    const request = https.get(
      url,
      { headers: { Accept: "application/json" }, timeout: 30_000 },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({ status: response.statusCode, body: Buffer.concat(chunks).toString("utf8") }),
        );
        response.on("error", (e: Error) => resolve({ error: e.message }));
      },
    );
    request.on("timeout", () => request.destroy(new Error("timed out")));
    request.on("error", (e: Error) => resolve({ error: e.message }));
  });
}

interface IssuerCheckInputs {
  readonly issuerUrl: string;
  readonly attempts: number;
  readonly intervalSeconds: number;
}

const issuerCheckProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: IssuerCheckInputs) {
    const result = await checkIssuer(
      inputs.issuerUrl,
      { get: httpsGet, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) },
      { attempts: inputs.attempts, intervalMs: inputs.intervalSeconds * 1000 },
    );
    return { id: inputs.issuerUrl, outs: { ...inputs, ...result } };
  },
  diff(_id: string, olds: IssuerCheckInputs, news: IssuerCheckInputs) {
    // Another issuer is checked again before anything that depends on it proceeds.
    const changed = olds.issuerUrl !== news.issuerUrl;
    return Promise.resolve({
      changes: changed,
      replaces: changed ? ["issuerUrl"] : [],
      deleteBeforeReplace: true,
    });
  },
};

export interface IssuerCheckArgs {
  /** The configured issuer, exactly as the cluster's tokens carry it in `iss`. */
  readonly issuerUrl: pulumi.Input<string>;
  /**
   * Tries per document, 5 s apart, for network errors and 5xx answers.
   * @default 3
   */
  readonly attempts?: number;
}

/** Completes once the issuer's discovery document and key set would satisfy the storage clouds. */
export class IssuerCheck extends pulumi.dynamic.Resource {
  /** The key set's address, as the discovery document gives it. */
  declare public readonly jwksUri: pulumi.Output<string>;
  /** How many keys the key set held. */
  declare public readonly keys: pulumi.Output<number>;

  constructor(name: string, args: IssuerCheckArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      issuerCheckProvider,
      name,
      {
        issuerUrl: args.issuerUrl,
        attempts: args.attempts ?? 3,
        intervalSeconds: 5,
        jwksUri: undefined,
        keys: undefined,
      },
      opts,
    );
  }
}
