import { createHash } from "node:crypto";
import * as iam from "@pulumi/aws/iam";
import * as pulumi from "@pulumi/pulumi";
import { componentTags, type BindingAccess, type Tags, type WorkloadIdentity } from "../core";
import { webIdentityAccess } from "./client";
import { STS_AUDIENCE, webIdentityTrust } from "./policies";
import { readerRole } from "./role";

/** Where the pod's own projected token goes when no webhook injects one. */
export const AWS_TOKEN_DIR = "/var/run/secrets/tokens/aws";

/**
 * STS RoleSessionName: 2–64 characters of `[\w+=,.@-]` (STS API model `roleSessionNameType`:
 * min 2, max 64; https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html).
 */
export const ROLE_SESSION_NAME_MAX = 64;

/**
 * The session name the pod's SDK passes to AssumeRoleWithWebIdentity: `<namespace>.<serviceAccount>`
 * when it fits, else both parts cut (each keeps at least 26 characters, or all of itself) so that
 * with `-` and 10 hex digits of the full pair's SHA-256 it is exactly 64 characters; two long pairs
 * still get different names. Kubernetes names (lowercase alphanumerics, `-`, `.`) and the `.`
 * separator are allowed characters; a namespace has no `.`, so the full pair is unambiguous.
 */
export function roleSessionName(namespace: string, serviceAccount: string): string {
  const full = `${namespace}.${serviceAccount}`;
  if (full.length <= ROLE_SESSION_NAME_MAX) return full;
  const hash = createHash("sha256").update(full).digest("hex").slice(0, 10);
  const room = ROLE_SESSION_NAME_MAX - hash.length - 2; // for `.` and `-`
  const nsLength = Math.min(
    namespace.length,
    Math.max(Math.floor(room / 2), room - serviceAccount.length),
  );
  return `${namespace.slice(0, nsLength)}.${serviceAccount.slice(0, room - nsLength)}-${hash}`;
}

export interface WebIdentityBindingArgs {
  /** The cluster's OIDC issuer with `https://` (EKS, GKE or AKS), verbatim. */
  readonly issuerUrl: pulumi.Input<string>;
  /** The namespace/ServiceAccount that may assume the role. */
  readonly identity: WorkloadIdentity;
  /** The policy the role gets, e.g. `BucketWithPolicy.readPolicyArn`. */
  readonly policyArn: pulumi.Input<string>;
  /**
   * How the token reaches the pod. `irsa`: EKS's webhook injects it and the role's env when the
   * ServiceAccount carries `eks.amazonaws.com/role-arn`. `projected`: the pod projects its own
   * token for `sts.amazonaws.com` and sets the env itself (any cluster outside AWS).
   */
  readonly delivery: "irsa" | "projected";
  /**
   * Use the account's existing IAM OIDC provider for the issuer instead of creating one: for a
   * cluster the stack adopts, whose provider usually exists already (IAM allows one per URL and
   * refuses a second with `EntityAlreadyExists`:
   * https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateOpenIDConnectProvider.html).
   * `cluster` names the cluster in messages. A missing provider, or one without the STS audience,
   * fails the preview with the command that fixes it; the stack never changes it.
   */
  readonly existingOidcProvider?: { readonly cluster: string };
  /**
   * Use this IAM OIDC provider for the issuer (e.g. another binding's `oidcProvider`) instead of
   * creating or looking one up: IAM holds one provider per issuer URL per account, so every
   * binding of one cluster after the first shares the first's.
   */
  readonly oidcProvider?: {
    readonly arn: pulumi.Input<string>;
    readonly url: pulumi.Input<string>;
  };
  readonly tags: Tags;
}

/**
 * AWS trusts a Kubernetes cluster's ServiceAccount tokens (IRSA, or federation from GKE/AKS): an
 * IAM OIDC provider for the cluster's issuer, a role only `system:serviceaccount:<ns>:<sa>` of
 * that issuer can assume with the STS audience, and the given policy attached.
 */
export class WebIdentityBinding extends pulumi.ComponentResource {
  public readonly roleArn: pulumi.Output<string>;
  public readonly roleName: pulumi.Output<string>;
  public readonly oidcProviderArn: pulumi.Output<string>;
  /** The IAM OIDC provider this binding trusts, for other bindings of the cluster to share. */
  public readonly oidcProvider: {
    readonly arn: pulumi.Output<string>;
    readonly url: pulumi.Output<string>;
  };
  public readonly podAccess: BindingAccess;

  constructor(name: string, args: WebIdentityBindingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("workload-identity:aws:WebIdentityBinding", name, {}, opts);
    const tags = componentTags(args.tags, "identity-binding");
    const { namespace, serviceAccount } = args.identity;

    // One IAM OIDC provider per issuer URL per account: this cluster's, created here, or the
    // existing one of an adopted cluster.
    const oidc = args.oidcProvider
      ? { arn: pulumi.output(args.oidcProvider.arn), url: pulumi.output(args.oidcProvider.url) }
      : args.existingOidcProvider
        ? this.existingProvider(args.issuerUrl, args.existingOidcProvider.cluster)
        : new iam.OpenIdConnectProvider(
            `${name}-oidc`,
            { url: args.issuerUrl, clientIdLists: [STS_AUDIENCE], tags },
            { parent: this },
          );
    const { role, permissions } = readerRole(
      name,
      {
        description: `Web identity for ${namespace}/${serviceAccount}`,
        trust: webIdentityTrust({
          providerArn: oidc.arn,
          issuerUrl: args.issuerUrl,
          namespace,
          serviceAccount,
        }),
        policyArn: args.policyArn,
        tags,
      },
      this,
    );

    this.roleArn = role.arn;
    this.roleName = role.name;
    this.oidcProviderArn = oidc.arn;
    this.oidcProvider = { arn: oidc.arn, url: oidc.url };
    // The env and token a pod needs to assume the role by hand. The denial pod always carries
    // them (the IRSA webhook injects nothing without the ServiceAccount annotation), so STS itself
    // must refuse its `sub`.
    const explicit = webIdentityAccess({
      roleArn: role.arn,
      tokenDir: AWS_TOKEN_DIR,
      sessionName: roleSessionName(namespace, serviceAccount),
    });
    const common = {
      identity: args.identity,
      podLabels: {},
      readyAfter: [permissions],
      // What the IRSA webhook injects (EKS "pod-configuration"), or what the pod carries itself.
      credentialVariables: ["AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"],
      // The trust as IAM holds it, the identity, the issuer. The permission is known here only by
      // its policy ARN; the storage side adds the policy's document (aws/compose.ts).
      proofInputs: [role.arn, role.assumeRolePolicy, args.policyArn, oidc.arn, oidc.url],
      denial: explicit,
    };
    if (args.delivery === "irsa") {
      this.podAccess = {
        ...common,
        serviceAccountAnnotations: { "eks.amazonaws.com/role-arn": role.arn },
        env: [],
      };
    } else {
      this.podAccess = {
        ...common,
        serviceAccountAnnotations: {},
        env: explicit.env,
        projectedTokens: explicit.projectedTokens,
      };
    }
    this.registerOutputs({
      roleArn: this.roleArn,
      roleName: this.roleName,
      oidcProviderArn: this.oidcProviderArn,
    });
  }

  /**
   * The account's IAM OIDC provider for `issuerUrl`, read through this component's AWS provider
   * (an invoke with `parent` uses the parent's provider: @pulumi/pulumi runtime/invoke.js
   * `getProvider`). Its ARN and URL, once it is known to trust the STS audience.
   */
  private existingProvider(
    issuerUrl: pulumi.Input<string>,
    cluster: string,
  ): { arn: pulumi.Output<string>; url: pulumi.Output<string> } {
    // By URL with `https://`, as the data source documents (registry: aws_iam_openid_connect_provider
    // data source, "url = \"https://accounts.google.com\"").
    const found = pulumi.output(issuerUrl).apply((url) =>
      iam.getOpenIdConnectProvider({ url }, { parent: this }).then(
        (p) => {
          if (!p.clientIdLists.includes(STS_AUDIENCE)) {
            throw new pulumi.ResourceError(
              `IRSA on EKS cluster ${JSON.stringify(cluster)}: its IAM OIDC provider ${p.arn} does not ` +
                `accept the audience ${STS_AUDIENCE}; add it with \`aws iam add-client-id-to-open-id-connect-provider ` +
                `--open-id-connect-provider-arn ${p.arn} --client-id ${STS_AUDIENCE}\``,
              this,
            );
          }
          return p;
        },
        (e: unknown) => {
          const text = e instanceof Error ? e.message : String(e);
          if (!/NoSuchEntity|couldn't find resource|not found/i.test(text)) {
            throw new pulumi.ResourceError(
              `IRSA on EKS cluster ${JSON.stringify(cluster)}: looking up the IAM OIDC provider for ${url}: ${text}`,
              this,
            );
          }
          // The API's ThumbprintList is optional: IAM fetches it from the issuer (API reference above).
          throw new pulumi.ResourceError(
            `IRSA on EKS cluster ${JSON.stringify(cluster)}: the account has no IAM OIDC provider for ` +
              `the cluster's issuer ${url}; create it with \`aws iam create-open-id-connect-provider ` +
              `--url ${url} --client-id-list ${STS_AUDIENCE}\` (the stack uses it and never changes it)`,
            this,
          );
        },
      ),
    );
    return { arn: found.arn, url: found.url };
  }
}
