import * as iam from "@pulumi/gcp/iam";
import * as projects from "@pulumi/gcp/projects";
import * as storage from "@pulumi/gcp/storage";
import * as pulumi from "@pulumi/pulumi";
import { RandomString } from "@pulumi/random/randomString";
import {
  projectedToken,
  serviceAccountSubject,
  type BindingAccess,
  type WorkloadIdentity,
} from "../core";
import { prefixCondition } from "./bucket";

/** Where the pod projects its token, and where its credential configuration is mounted. */
export const GCP_TOKEN_DIR = "/var/run/secrets/tokens/gcp";
export const GCP_CREDENTIALS_DIR = "/etc/workload-identity/gcp";
export const GCP_CREDENTIALS_FILE = `${GCP_CREDENTIALS_DIR}/credentials.json`;
/** The pool's one provider; a pool id is random, so this one never collides. */
export const PROVIDER_ID = "kubernetes";
/** APIs the token exchange needs: STS swaps the token, IAM holds the pool. */
export const FEDERATION_APIS = ["iam.googleapis.com", "sts.googleapis.com"] as const;

const POOL_ID = /^[a-z0-9-]{4,32}$/;
const SUFFIX_LENGTH = 6;

/**
 * Why a pool id prefix is unusable, or undefined. Pool ids are 4–32 of `[a-z0-9-]`, must not start
 * with `gcp-`, and stay reserved for 30 days after deletion: the program appends a random suffix.
 */
export function poolIdPrefixProblem(prefix: string): string | undefined {
  const sample = `${prefix}-${"x".repeat(SUFFIX_LENGTH)}`;
  if (!POOL_ID.test(sample) || prefix.startsWith("gcp-")) {
    return (
      `poolIdPrefix: ${JSON.stringify(prefix)} would make pool ids like ${JSON.stringify(sample)}; ` +
      "pool ids are 4–32 lowercase letters, digits and '-', not starting with gcp-"
    );
  }
  return undefined;
}

/** The external_account credential configuration gcloud and the client libraries read. */
export function credentialConfiguration(providerAudience: string): string {
  return JSON.stringify({
    universe_domain: "googleapis.com",
    type: "external_account",
    // The STS audience: the provider's full resource name (not the JWT's `aud`).
    audience: providerAudience,
    subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
    token_url: "https://sts.googleapis.com/v1/token",
    credential_source: { file: `${GCP_TOKEN_DIR}/token`, format: { type: "text" } },
  });
}

export interface FederatedIdentityBindingArgs {
  /** The project ID that holds the pool and the bucket. */
  readonly project: string;
  /** The foreign cluster's OIDC issuer, with `https://` (EKS, AKS), verbatim. */
  readonly issuerUrl: pulumi.Input<string>;
  readonly identity: WorkloadIdentity;
  readonly bucketName: pulumi.Input<string>;
  /** The role granted on the bucket, e.g. `roles/storage.objectViewer`. */
  readonly role: string;
  /** The pool id is `<poolIdPrefix>-<6 random>`. */
  readonly poolIdPrefix: string;
  /**
   * Confine the role to the objects under this key prefix (an IAM condition, `prefixCondition`).
   * @default "" (the whole bucket, no condition)
   */
  readonly prefix?: string;
  /**
   * Trust through this pool (another binding's `pool`) instead of creating one: one pool and
   * provider per cluster issuer, whatever the number of workloads it serves.
   */
  readonly pool?: FederationPool;
}

/** A Workload Identity pool with its provider for one cluster's issuer, for bindings to share. */
export interface FederationPool {
  readonly poolId: pulumi.Output<string>;
  /** `projects/<number>/locations/global/workloadIdentityPools/<id>`. */
  readonly poolName: pulumi.Output<string>;
  /** `…/providers/kubernetes`. */
  readonly providerName: pulumi.Output<string>;
  readonly audience: pulumi.Output<string>;
  /** What a pod waits for before its token exchange can work: the provider and the APIs. */
  readonly readyAfter: readonly pulumi.Resource[];
  /** The provider as IAM holds it (issuer, audiences, mapping, condition). */
  readonly proofInputs: readonly pulumi.Input<string>[];
}

/** What is wrong with `args`, as messages; empty when nothing is. */
export function validateFederatedIdentityBindingArgs(args: FederatedIdentityBindingArgs): string[] {
  const problem = poolIdPrefixProblem(args.poolIdPrefix);
  return problem ? [problem] : [];
}

/**
 * Google Cloud trusts a cluster outside it (EKS, AKS): a Workload Identity pool (random id: deleted
 * ids stay reserved for 30 days) with an OIDC provider for the cluster's issuer, mapping
 * `google.subject` to the token's `sub`; the role on the bucket for exactly
 * `principal://…/subject/system:serviceaccount:<ns>:<sa>`. The pod projects a token for the
 * provider's audience and carries an external_account credential configuration (no key).
 */
export class FederatedIdentityBinding extends pulumi.ComponentResource {
  public readonly member: pulumi.Output<string>;
  public readonly poolId: pulumi.Output<string>;
  /** The `aud` the pod's token carries and the provider allows. */
  public readonly audience: pulumi.Output<string>;
  /** The pool this binding trusts through, for other bindings of the cluster to share. */
  public readonly pool: FederationPool;
  public readonly podAccess: BindingAccess;

  constructor(
    name: string,
    args: FederatedIdentityBindingArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("workload-identity:gcp:FederatedIdentityBinding", name, {}, opts);
    const problems = validateFederatedIdentityBindingArgs(args);
    // Stryker disable next-line StringLiteral: `validateFederatedIdentityBindingArgs` returns one problem at most, so the separator never shows.
    if (problems.length > 0) throw new pulumi.ResourceError(problems.join("; "), this);

    this.pool = args.pool ?? this.createPool(name, args);
    const { poolName, providerName } = this.pool;
    this.audience = this.pool.audience;
    this.poolId = this.pool.poolId;
    this.member = pulumi.interpolate`principal://iam.googleapis.com/${poolName}/subject/${serviceAccountSubject(args.identity)}`;
    const condition = prefixCondition(args.bucketName, args.prefix ?? "");
    const grant = new storage.BucketIAMMember(
      `${name}-read`,
      {
        bucket: args.bucketName,
        role: args.role,
        member: this.member,
        ...(condition ? { condition } : {}),
      },
      { parent: this },
    );

    const env = [{ name: "GOOGLE_APPLICATION_CREDENTIALS", value: GCP_CREDENTIALS_FILE }];
    const projectedTokens = [projectedToken("gcp-token", this.audience, GCP_TOKEN_DIR)];
    this.podAccess = {
      identity: args.identity,
      serviceAccountAnnotations: {},
      podLabels: {},
      env,
      projectedTokens,
      files: [
        {
          name: "gcp-credentials",
          mountPath: GCP_CREDENTIALS_DIR,
          fileName: "credentials.json",
          content: pulumi.interpolate`//iam.googleapis.com/${providerName}`.apply(
            credentialConfiguration,
          ),
        },
      ],
      readyAfter: [...this.pool.readyAfter, grant],
      // Set by the binding itself; checked all the same, like every mechanism's.
      credentialVariables: ["GOOGLE_APPLICATION_CREDENTIALS"],
      // The provider as IAM holds it (issuer, audiences, mapping), and the grant: principal, role.
      proofInputs: [
        ...this.pool.proofInputs,
        grant.member,
        grant.role,
        grant.bucket,
        grant.condition.apply((c) => JSON.stringify(c ?? null)),
      ],
      // The pool exchanges any ServiceAccount token of the cluster for that ServiceAccount's own
      // principal; only the bucket's IAM decides, so the denial pod carries the same
      // configuration and token and Cloud Storage must refuse it.
      denial: { env, projectedTokens, podLabels: {}, refusal: "" },
    };
    this.registerOutputs({ member: this.member, poolId: this.poolId, audience: this.audience });
  }

  /** The pool and its provider for the cluster's issuer (`<name>-pool`, `<name>-provider`). */
  private createPool(name: string, args: FederatedIdentityBindingArgs): FederationPool {
    const { namespace, serviceAccount } = args.identity;
    const apis = FEDERATION_APIS.map(
      (service) =>
        new projects.Service(
          `${name}-${service.split(".")[0]}`,
          { project: args.project, service, disableOnDestroy: false },
          { parent: this },
        ),
    );
    const suffix = new RandomString(
      `${name}-pool-suffix`,
      { length: SUFFIX_LENGTH, special: false, upper: false },
      { parent: this },
    );
    const pool = new iam.WorkloadIdentityPool(
      `${name}-pool`,
      {
        project: args.project,
        workloadIdentityPoolId: pulumi.interpolate`${args.poolIdPrefix}-${suffix.result}`,
        displayName: `k8s ${namespace}/${serviceAccount}`.slice(0, 32),
        description: "Kubernetes ServiceAccount tokens of a cluster outside Google Cloud",
      },
      { parent: this, dependsOn: apis },
    );
    // The pool's full name, `projects/<number>/locations/global/workloadIdentityPools/<id>`
    // (iam/workloadIdentityPool.d.ts, `name`), carries the project number the principal and the
    // audience need: no lookup (`getProject` needs the Cloud Resource Manager API, which this
    // route never enables, at every preview), nothing configured.
    const providerName = pulumi.interpolate`${pool.name}/providers/${PROVIDER_ID}`;
    // Google's default audience for the provider, allowed explicitly so the pod can ask for it.
    const audience = pulumi.interpolate`https://iam.googleapis.com/${providerName}`;
    const provider = new iam.WorkloadIdentityPoolProvider(
      `${name}-provider`,
      {
        project: args.project,
        workloadIdentityPoolId: pool.workloadIdentityPoolId,
        workloadIdentityPoolProviderId: PROVIDER_ID,
        attributeMapping: { "google.subject": "assertion.sub" },
        oidc: { issuerUri: args.issuerUrl, allowedAudiences: [audience] },
      },
      { parent: this },
    );
    return {
      poolId: pool.workloadIdentityPoolId,
      poolName: pool.name,
      providerName,
      audience,
      readyAfter: [provider, ...apis],
      proofInputs: [
        provider.name,
        provider.oidc.apply((o) => JSON.stringify(o ?? null)),
        provider.attributeMapping.apply((m) => JSON.stringify(m ?? null)),
        provider.attributeCondition.apply((c) => c ?? ""),
      ],
    };
  }
}
