import * as admissionregistration from "@pulumi/kubernetes/admissionregistration/v1";
import type { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import * as pulumi from "@pulumi/pulumi";

/**
 * The MutatingWebhookConfiguration the AKS workload identity add-on installs: cluster-scoped, and
 * served by the Deployment `kube-system/azure-wi-webhook-controller-manager`. The name is the one
 * the upstream webhook hard-codes (azure-workload-identity `cmd/webhook/main.go`, `webhooks` for the
 * cert rotator) and the one AKS's managed release `aks-managed-workload-identity` uses in
 * kube-system (https://github.com/Azure/AKS/issues/5472).
 */
export const WORKLOAD_IDENTITY_WEBHOOK = "azure-wi-webhook-mutating-webhook-configuration";

export interface IdentityAgentArgs {
  /** The provider built from the cluster whose `securityProfile.workloadIdentity` is enabled. */
  readonly provider: KubernetesProvider;
  /**
   * The ManagedCluster that turns the add-on on: the webhook is read after it is in place. None
   * for an adopted cluster: its Cluster component checked the add-on is on, and the provider
   * waits for that check.
   */
  readonly cluster?: pulumi.Resource;
}

/** What a MutatingWebhookConfiguration's webhooks say about failures, as read from the cluster. */
interface WebhookPolicy {
  readonly name?: string;
  readonly failurePolicy?: string;
}

/**
 * A warning when a webhook would let pods through unmutated while it is unavailable, or
 * undefined. Kubernetes' default (and AKS's since Azure/AKS#3286) is `Fail`: the API server refuses
 * the pod and its controller retries, so a labelled pod never starts without its token.
 */
export function lenientWebhookWarning(
  configuration: string,
  webhooks: readonly WebhookPolicy[] | undefined,
): string | undefined {
  const lenient = (webhooks ?? []).filter(
    (w) => w.failurePolicy !== undefined && w.failurePolicy !== "Fail",
  );
  if (lenient.length === 0) return undefined;
  return (
    `${configuration}: webhook ${lenient.map((w) => `${w.name ?? "?"} has failurePolicy ${w.failurePolicy}`).join(", ")}; ` +
    "a pod admitted while the webhook is down starts without its token and never gets one " +
    "(delete the pod to retry)"
  );
}

/**
 * The Microsoft Entra Workload ID webhook on an AKS cluster. AKS installs and runs it (the add-on
 * that `securityProfile.workloadIdentity.enabled` turns on), so this component owns no objects:
 * it reads the add-on's MutatingWebhookConfiguration through our provider. The read fails the
 * update if the add-on is missing, and pods that depend on this component are created only once
 * the webhook is registered with the API server; with `failurePolicy: Fail` they are then either
 * mutated or refused and retried, never admitted without their token. A lenient policy is
 * reported as a warning.
 */
export class IdentityAgent extends pulumi.ComponentResource {
  public readonly webhookConfiguration: admissionregistration.MutatingWebhookConfiguration;
  /** The failure policy of each webhook in the configuration, as the cluster reports it. */
  public readonly failurePolicies: pulumi.Output<string[]>;

  constructor(name: string, args: IdentityAgentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("workload-identity:azure:IdentityAgent", name, {}, opts);
    this.webhookConfiguration = admissionregistration.MutatingWebhookConfiguration.get(
      `${name}-webhook`,
      WORKLOAD_IDENTITY_WEBHOOK,
      {
        parent: this,
        provider: args.provider,
        dependsOn: args.cluster ? [args.cluster] : [],
      },
    );
    this.failurePolicies = this.webhookConfiguration.webhooks.apply((webhooks) => {
      // Unknown during a preview of a new cluster: nothing to check yet.
      const warning = lenientWebhookWarning(WORKLOAD_IDENTITY_WEBHOOK, webhooks);
      if (warning) void pulumi.log.warn(warning, this);
      return (webhooks ?? []).map((w) => w.failurePolicy ?? "Fail");
    });
    this.registerOutputs({ failurePolicies: this.failurePolicies });
  }
}
