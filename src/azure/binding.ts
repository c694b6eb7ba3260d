import * as authorization from "@pulumi/azure-native/authorization";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as pulumi from "@pulumi/pulumi";
import {
  projectedToken,
  serviceAccountSubject,
  type BindingAccess,
  type DenialAccess,
  type PodEnvVar,
  type WorkloadIdentity,
} from "../core";
import { componentTags, type Tags } from "../core";
import { ENTRA_FEDERATION_REFUSAL } from "./client";
import {
  federatedCredentialName,
  serviceAccountsProblems,
  TOKEN_EXCHANGE_AUDIENCE,
} from "./federation";

/** What the workload identity webhook reads off the ServiceAccount and the pod. */
export const CLIENT_ID_ANNOTATION = "azure.workload.identity/client-id";
export const TENANT_ID_ANNOTATION = "azure.workload.identity/tenant-id";
/** On the pod (template), not the ServiceAccount: the webhook selects pods by this label. */
export const USE_LABEL = "azure.workload.identity/use";
/** Where a pod on a cluster without the webhook (EKS, GKE) projects its own token. */
export const AZURE_TOKEN_DIR = "/var/run/secrets/tokens/azure";
/** Microsoft Entra's public-cloud authority, which the webhook would otherwise inject. */
export const AZURE_AUTHORITY_HOST = "https://login.microsoftonline.com/";

export interface IdentityBindingArgs {
  /**
   * The OIDC issuer of the cluster whose ServiceAccount tokens are trusted, exactly as the cluster
   * reports it (AKS: with its trailing `/`). Entra compares it as a string.
   */
  readonly issuerUrl: pulumi.Input<string>;
  /**
   * The namespace/ServiceAccount pairs that may act as the identity: one federated identity
   * credential each, at most 20, no duplicates. A plain list: it decides how many credentials exist.
   */
  readonly serviceAccounts: readonly WorkloadIdentity[];
  /** Where the managed identity lives. */
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: pulumi.Input<string>;
  /** The full ID of the role the identity gets, e.g. `BucketWithPolicy.readRoleDefinitionId`. */
  readonly roleDefinitionId: pulumi.Input<string>;
  /** Where the role applies, e.g. `BucketWithPolicy.containerId`: one container, no wider. */
  readonly scope: pulumi.Input<string>;
  /**
   * A role assignment condition (version 2.0) that narrows the role further, e.g.
   * `blobPrefixCondition(access, prefix)` to the blobs under a prefix.
   * @default none: the role holds on the whole scope
   */
  readonly condition?: string;
  /**
   * How the token reaches the pod. `webhook`: AKS's workload identity webhook projects it and
   * injects the AZURE_* env into pods labelled `azure.workload.identity/use`. `projected`: a
   * cluster without the webhook (EKS, GKE): the pod projects its own token for
   * `api://AzureADTokenExchange` and carries the env itself.
   * @default "webhook"
   */
  readonly delivery?: "webhook" | "projected";
  readonly tags: Tags;
}

/** What is wrong with `args`, as messages; empty when nothing is. */
export function validateIdentityBindingArgs(args: IdentityBindingArgs): string[] {
  return serviceAccountsProblems(args.serviceAccounts);
}

/**
 * Microsoft Entra Workload ID for a list of ServiceAccounts: a user-assigned managed identity;
 * one federated identity credential per ServiceAccount (issuer verbatim, subject
 * `system:serviceaccount:<namespace>:<name>`, audience `api://AzureADTokenExchange` only), written
 * one after another because Entra rejects concurrent writes on one identity; and one role
 * assignment to the identity's principal (its object ID, not its client ID) at the given scope.
 *
 * Hands the pods what the webhook needs: the client and tenant IDs on the ServiceAccount, the
 * `azure.workload.identity/use` label on the pod template; pods wait for the last credential and
 * the role assignment.
 */
export class IdentityBinding extends pulumi.ComponentResource {
  public readonly identityName: pulumi.Output<string>;
  public readonly clientId: pulumi.Output<string>;
  public readonly principalId: pulumi.Output<string>;
  public readonly tenantId: pulumi.Output<string>;
  public readonly credentials: managedidentity.FederatedIdentityCredential[];
  public readonly roleAssignmentId: pulumi.Output<string>;
  /** What every pod of the bound ServiceAccounts carries: the same identity for all. */
  private readonly sharedAccess: Omit<BindingAccess, "identity">;
  private readonly serviceAccounts: readonly WorkloadIdentity[];

  constructor(name: string, args: IdentityBindingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("workload-identity:azure:IdentityBinding", name, {}, opts);
    this.serviceAccounts = args.serviceAccounts;
    // Refused here, before any child exists: Entra would fail the 21st write mid-deployment.
    const problems = validateIdentityBindingArgs(args);
    if (problems.length > 0) throw new pulumi.ResourceError(problems.join("; "), this);
    const tags = componentTags(args.tags, "identity-binding");

    const identity = new managedidentity.UserAssignedIdentity(
      `${name}-identity`,
      { resourceGroupName: args.resourceGroupName, location: args.location, tags },
      { parent: this },
    );

    // One at a time: concurrent writes to one identity fail with
    // ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity.
    this.credentials = [];
    args.serviceAccounts.forEach((sa) => {
      const credentialName = federatedCredentialName(sa);
      const previous = this.credentials.at(-1);
      this.credentials.push(
        new managedidentity.FederatedIdentityCredential(
          `${name}-fic-${credentialName}`,
          {
            resourceGroupName: args.resourceGroupName,
            resourceName: identity.name,
            federatedIdentityCredentialResourceName: credentialName,
            issuer: args.issuerUrl,
            subject: serviceAccountSubject(sa),
            audiences: [TOKEN_EXCHANGE_AUDIENCE],
          },
          { parent: this, dependsOn: previous ? [previous] : [] },
        ),
      );
    });
    const lastCredential = this.credentials[this.credentials.length - 1];

    const roleAssignment = new authorization.RoleAssignment(
      `${name}-reader`,
      {
        // The principal (object) ID: a role assigned to the client ID names no principal.
        principalId: identity.principalId,
        // Says what the principal is, so a brand-new identity is not looked up (PrincipalNotFound).
        principalType: authorization.PrincipalType.ServicePrincipal,
        roleDefinitionId: args.roleDefinitionId,
        scope: args.scope,
        description: `${name}: Kubernetes ServiceAccounts federated with this identity`,
        // Conditions on role assignments take version 2.0 (authorization/roleAssignment.d.ts:
        // "Currently the only accepted value is '2.0'").
        ...(args.condition ? { condition: args.condition, conditionVersion: "2.0" } : {}),
      },
      { parent: this },
    );

    this.identityName = identity.name;
    this.clientId = identity.clientId;
    this.principalId = identity.principalId;
    this.tenantId = identity.tenantId;
    this.roleAssignmentId = roleAssignment.id;
    const readyAfter = [lastCredential, roleAssignment];
    // What the webhook injects into a labelled pod of an annotated ServiceAccount, set by hand:
    // the same variables the Azure CLI and SDKs read. A cluster without the webhook carries them;
    // so does the denial pod, unlabelled (the webhook leaves it alone) and with its own token, so
    // Entra must refuse its subject.
    const env: PodEnvVar[] = [
      { name: "AZURE_CLIENT_ID", value: identity.clientId },
      { name: "AZURE_TENANT_ID", value: identity.tenantId },
      { name: "AZURE_FEDERATED_TOKEN_FILE", value: `${AZURE_TOKEN_DIR}/token` },
      { name: "AZURE_AUTHORITY_HOST", value: AZURE_AUTHORITY_HOST },
    ];
    const projectedTokens = [
      projectedToken("azure-token", TOKEN_EXCHANGE_AUDIENCE, AZURE_TOKEN_DIR),
    ];
    const denial: DenialAccess = {
      env,
      projectedTokens,
      podLabels: {},
      refusal: ENTRA_FEDERATION_REFUSAL,
    };
    // The login reads these three (FEDERATED_LOGIN); the webhook injects them only at admission.
    const credentialVariables = [
      "AZURE_CLIENT_ID",
      "AZURE_TENANT_ID",
      "AZURE_FEDERATED_TOKEN_FILE",
    ];
    // Every federated credential as Entra holds it, the role and its scope, and the identity.
    const proofInputs = [
      identity.clientId,
      identity.principalId,
      ...this.credentials.flatMap((c) => [
        c.issuer,
        c.subject,
        // Stryker disable next-line StringLiteral: every credential has exactly one audience (TOKEN_EXCHANGE_AUDIENCE), so the separator never shows.
        c.audiences.apply((a) => a.join(" ")),
      ]),
      roleAssignment.roleDefinitionId,
      roleAssignment.scope,
      roleAssignment.principalId,
      // Stryker disable next-line StringLiteral: the fallback runs only for a missing condition, and this entry exists only when the assignment is given one.
      ...(args.condition ? [roleAssignment.condition.apply((c) => c ?? "")] : []),
    ];
    if ((args.delivery ?? "webhook") === "webhook") {
      this.sharedAccess = {
        serviceAccountAnnotations: {
          [CLIENT_ID_ANNOTATION]: identity.clientId,
          [TENANT_ID_ANNOTATION]: identity.tenantId,
        },
        podLabels: { [USE_LABEL]: "true" },
        // The webhook injects AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE and
        // AZURE_AUTHORITY_HOST, and projects the token; the pod spec carries none of them.
        env: [],
        readyAfter,
        credentialVariables,
        proofInputs,
        denial,
      };
    } else {
      this.sharedAccess = {
        serviceAccountAnnotations: {},
        podLabels: {},
        env,
        projectedTokens,
        readyAfter,
        credentialVariables,
        proofInputs,
        denial,
      };
    }
    this.registerOutputs({
      identityName: this.identityName,
      clientId: this.clientId,
      principalId: this.principalId,
      tenantId: this.tenantId,
      roleAssignmentId: this.roleAssignmentId,
    });
  }

  /** What the pods of `identity`, one of the bound ServiceAccounts, must carry. */
  public accessFor(identity: WorkloadIdentity): BindingAccess {
    const bound = this.serviceAccounts.some(
      (sa) => sa.namespace === identity.namespace && sa.serviceAccount === identity.serviceAccount,
    );
    if (!bound) {
      throw new pulumi.ResourceError(
        `accessFor: ${identity.namespace}/${identity.serviceAccount} is not one of this binding's ServiceAccounts`,
        this,
      );
    }
    return { ...this.sharedAccess, identity };
  }
}
