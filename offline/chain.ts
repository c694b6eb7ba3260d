/**
 * The identity chain of an evaluated stack, read off what the program registered: cluster → OIDC
 * issuer → token audience → trust or binding → permissions → object. Nothing here is configured
 * by hand: each step quotes the inputs of the resources that make it true.
 */
import { parse as parseYaml } from "yaml";
import { discoveryUrl } from "../src/external";
import { CLUSTERS, STORAGES } from "../src/registry";
import type { Evaluation } from "./evaluate";
import { statements } from "./iam";
import type { Recorded, Recorder } from "./mocks";

export interface ChainStep {
  readonly step: string;
  readonly detail: string;
}

const T = {
  eks: "aws:eks/cluster:Cluster",
  gke: "gcp:container/cluster:Cluster",
  daemonSet: "kubernetes:apps/v1:DaemonSet",
  aks: "azure-native:containerservice:ManagedCluster",
  association: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
  oidcProvider: "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
  role: "aws:iam/role:Role",
  attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  policy: "aws:iam/policy:Policy",
  gcsMember: "gcp:storage/bucketIAMMember:BucketIAMMember",
  wifPool: "gcp:iam/workloadIdentityPool:WorkloadIdentityPool",
  wifProvider: "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider",
  fic: "azure-native:managedidentity:FederatedIdentityCredential",
  roleAssignment: "azure-native:authorization:RoleAssignment",
  sa: "kubernetes:core/v1:ServiceAccount",
  job: "kubernetes:batch/v1:Job",
} as const;

const first = (rec: Recorder, type: string): Recorded | undefined => rec.ofType(type)[0];

/**
 * Names of the Azure built-in roles a reader of this program may meet, by role definition ID (the
 * IDs are the same in every tenant): https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
 * Data roles carry blob data actions; Reader, Contributor and Owner carry none (a workload holding
 * only those cannot read a blob).
 */
export const AZURE_ROLE_NAMES: Readonly<Record<string, string>> = {
  "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1": "Storage Blob Data Reader",
  "ba92f5b4-2d11-453d-a403-e96b0029c9fe": "Storage Blob Data Contributor",
  "b7e6dc6d-f1e8-4753-8033-0f276bb0955b": "Storage Blob Data Owner",
  "acdd72a7-3385-48ef-bd42-f606fba81ae7": "Reader",
  "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
  "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
};

/** `Storage Blob Data Reader (2a2b…)` for a role definition ID; the bare GUID for one not listed. */
export function azureRole(roleDefinitionId: string): string {
  const guid = roleDefinitionId.split("/").pop() ?? roleDefinitionId;
  const name = AZURE_ROLE_NAMES[guid.toLowerCase()];
  return name ? `${name} (${guid})` : guid;
}

/** Where a token comes from when the pod projects none itself. */
function injectedAudience(rec: Recorder, sa: Recorded | undefined): string {
  const annotations: Record<string, string> = sa?.inputs.metadata?.annotations ?? {};
  if (rec.ofType(T.association).length > 0) {
    return "pods.eks.amazonaws.com, injected by EKS Pod Identity (the agent exchanges it)";
  }
  if (annotations["eks.amazonaws.com/role-arn"]) {
    return "sts.amazonaws.com, injected by EKS's IRSA webhook (the ServiceAccount names the role)";
  }
  if (annotations["azure.workload.identity/client-id"]) {
    return "api://AzureADTokenExchange, injected by the AKS workload identity webhook";
  }
  if (first(rec, T.gke) || readsMetadataServer(rec)) {
    return "none in the pod: the GKE metadata server exchanges the identity";
  }
  return "none found";
}

function awsTrust(rec: Recorder): ChainStep[] {
  const steps: ChainStep[] = [];
  for (const a of rec.ofType(T.association)) {
    steps.push({
      step: "binding",
      detail: `Pod Identity association ${a.inputs.namespace}/${a.inputs.serviceAccount} → ${a.inputs.roleArn}`,
    });
  }
  for (const p of rec.ofType(T.oidcProvider)) {
    steps.push({
      step: "trust",
      detail: `IAM OIDC provider ${p.inputs.url} for ${p.inputs.clientIdLists.join(", ")}`,
    });
  }
  for (const role of rec.ofType(T.role).filter((r) => r.name.endsWith("-binding-role"))) {
    for (const s of statements(role.inputs.assumeRolePolicy)) {
      const who = JSON.stringify(s.Principal);
      const when = Object.entries(s.Condition ?? {})
        .flatMap(([op, kv]) => Object.entries(kv).map(([k, v]) => `${k} ${op} ${String(v)}`))
        .join("; ");
      steps.push({
        step: "trust",
        detail: `role may be assumed by ${who} (${s.Action.join(", ")}) when ${when}`,
      });
    }
    const attached = rec.ofType(T.attachment).filter((a) => a.dependencies.includes(role.urn));
    for (const a of attached) {
      const policy = rec.ofType(T.policy).find((p) => a.dependencies.includes(p.urn));
      const grants = policy
        ? statements(policy.inputs.policy).map(
            (s) =>
              `${s.Effect} ${s.Action.join(", ")} on ${s.Resource.join(", ")}${conditionText(s.Condition)}`,
          )
        : [String(a.inputs.policyArn)];
      for (const g of grants) steps.push({ step: "permissions", detail: g });
    }
  }
  return steps;
}

/** An IAM statement's conditions, as ` when <key> <operator> <values>; …` (empty without). */
function conditionText(condition: Record<string, Record<string, unknown>> | undefined): string {
  if (!condition) return "";
  const parts = Object.entries(condition).flatMap(([operator, keys]) =>
    Object.entries(keys).map(
      ([key, v]) => `${key} ${operator} ${(Array.isArray(v) ? v : [v]).join(", ")}`,
    ),
  );
  return ` when ${parts.join("; ")}`;
}

/** The stack reads GKE's metadata server: a GKE cluster, created or adopted (`existingCluster`). */
const readsMetadataServer = (rec: Recorder): boolean =>
  rec.ofType(T.daemonSet).some((d) => d.readId === "kube-system/gke-metadata-server");

function gcpTrust(rec: Recorder): ChainStep[] {
  const steps: ChainStep[] = [];
  const members = rec.ofType(T.gcsMember).map((m) => String(m.inputs.member));
  // GKE's own pool (`<project>.svc.id.goog`) is in the chain only when a bucket grant names it:
  // the GKE → Cloud Storage route. A GKE cluster reading S3 or Blob keeps the pool enabled but
  // its pods project their own token to the other cloud instead.
  // An adopted cluster is only looked up: its pool is the one the grant names.
  const gkePool: string | undefined =
    first(rec, T.gke)?.inputs.workloadIdentityConfig?.workloadPool ??
    (readsMetadataServer(rec)
      ? members
          .map((m) => /\/workloadIdentityPools\/([^/]+\.svc\.id\.goog)\//.exec(m)?.[1])
          .find(Boolean)
      : undefined);
  if (gkePool && members.some((m) => m.includes(`/workloadIdentityPools/${gkePool}/`))) {
    steps.push({
      step: "trust",
      detail: `GKE's workload identity pool ${gkePool}: the metadata server exchanges the pod's token`,
    });
  }
  for (const pool of rec.ofType(T.wifPool)) {
    steps.push({
      step: "trust",
      detail: `Workload Identity pool ${pool.inputs.workloadIdentityPoolId} of project ${pool.inputs.project}: Google's STS exchanges the pod's token`,
    });
  }
  for (const p of rec.ofType(T.wifProvider)) {
    steps.push({
      step: "trust",
      detail: `workload identity pool provider for issuer ${p.inputs.oidc?.issuerUri}, audiences ${(p.inputs.oidc?.allowedAudiences ?? []).join(", ")}`,
    });
  }
  for (const m of rec.ofType(T.gcsMember)) {
    steps.push({ step: "binding", detail: `${m.inputs.member}` });
    const condition = m.inputs.condition?.expression;
    steps.push({
      step: "permissions",
      detail: `${m.inputs.role} on bucket ${m.inputs.bucket}${condition ? ` when ${condition}` : ""}`,
    });
  }
  return steps;
}

function azureTrust(rec: Recorder): ChainStep[] {
  const steps: ChainStep[] = [];
  for (const f of rec.ofType(T.fic)) {
    steps.push({
      step: "trust",
      detail: `federated credential: issuer ${f.inputs.issuer}, subject ${f.inputs.subject}, audiences ${(f.inputs.audiences ?? []).join(", ")}`,
    });
  }
  // The binding's grants only: the AKS cluster also gives its deployer a role on itself.
  const grants = rec.ofType(T.roleAssignment).filter((ra) => /:IdentityBinding::/.test(ra.parent));
  for (const ra of grants) {
    steps.push({
      step: "permissions",
      detail: `role ${azureRole(String(ra.inputs.roleDefinitionId))} for principal ${ra.inputs.principalId} on ${ra.inputs.scope}${ra.inputs.condition ? ` when (condition ${ra.inputs.conditionVersion}) ${ra.inputs.condition}` : ""}`,
    });
  }
  return steps;
}

/**
 * The external cluster's issuer check: a dynamic resource, which mocks record but never run, so
 * the plan says what `pulumi up` will fetch instead of what it found.
 */
function issuerCheck(rec: Recorder): ChainStep[] {
  const agent = rec.ofType("workload-identity:external:IdentityAgent")[0];
  if (!agent) return [];
  const check = rec.resources.find(
    (r) => r.parent === agent.urn && r.type === "pulumi-nodejs:dynamic:Resource",
  );
  const issuer = String(check?.inputs.issuerUrl ?? "?");
  return [
    {
      step: "issuer check",
      detail:
        `skipped offline; \`pulumi up\` fetches ${discoveryUrl(issuer)} and its jwks_uri, ` +
        "and fails unless the document names exactly this issuer and serves keys over https",
    },
  ];
}

/**
 * A kind cluster's self-hosted issuer: the signing key, the two documents published in the
 * storage's cloud and what makes them (and only them) public, and the cluster created after them
 * with the API server signing for that issuer. Read off the registrations.
 */
function selfHostedIssuer(rec: Recorder): ChainStep[] {
  const issuer = rec.ofType("workload-identity:kind:Issuer")[0];
  if (!issuer) return [];
  const key = rec.resources.find(
    (r) => r.parent === issuer.urn && r.type === "tls:index/privateKey:PrivateKey",
  );
  const host = rec.resources.find((r) => r.parent === issuer.urn && !r.custom);
  const inHost = rec.resources.filter((r) => host && r.parent === host.urn && r.custom);
  const objects = inHost
    .map(
      (r) =>
        r.inputs.key ??
        r.inputs.blobName ??
        (r.type.endsWith("BucketObject") ? r.inputs.name : undefined),
    )
    .filter((p): p is string => typeof p === "string")
    .sort();
  const publicBy = inHost.flatMap((r): string[] => {
    if (r.type === "aws:s3/bucketPolicy:BucketPolicy") {
      return statements(r.inputs.policy)
        .filter((st) => st.Effect === "Allow")
        .map(
          (st) =>
            `bucket policy: ${st.Action.join(", ")} for ${JSON.stringify(st.Principal)} on ${st.Resource.join(", ")}`,
        );
    }
    if (r.type === "gcp:storage/bucketIAMBinding:BucketIAMBinding") {
      return [
        `${r.inputs.role} for ${r.inputs.members.join(", ")} on bucket ${r.inputs.bucket}, which holds only these`,
      ];
    }
    if (r.type === "azure-native:storage:BlobContainer") {
      return [
        `container ${r.inputs.containerName}: anonymous access ${r.inputs.publicAccess} (read a blob by name, no listing), holding only these`,
      ];
    }
    return [];
  });
  const create = rec.ofType("command:local:Command").find((r) => r.name.endsWith("-cluster-kind"));
  const config = create ? parseYaml(String(create.inputs.stdin)) : undefined;
  const patch = config ? parseYaml(config.nodes[0].kubeadmConfigPatches[0]) : undefined;
  const flags = Object.entries(patch?.apiServer?.extraArgs ?? {})
    .filter(([k]) => k === "service-account-issuer" || k === "service-account-jwks-uri")
    .map(([k, v]) => `--${k}=${String(v)}`);
  const after = objects.length;
  return [
    {
      step: "signing key",
      detail: `RSA ${key?.inputs.rsaBits ?? "?"} (${key?.type ?? "?"} ${key?.name ?? "?"}), secret in the state; kid = SHA-256 of its public key, as kube-apiserver computes it`,
    },
    {
      step: "published",
      detail: `${objects.join(" and ")} in ${host?.type ?? "?"} ${host?.name ?? "?"}; public through ${publicBy.join("; ")}`,
    },
    {
      step: "kind cluster",
      detail: `kind create cluster --name ${create?.inputs.environment?.CLUSTER ?? "?"} after the ${after} published documents; API server ${flags.join(" ")}`,
    },
  ];
}

/** What the stack does with its cluster: creates it, adopts it, or only connects to it. */
function clusterOrigin(run: Evaluation, created: Recorded | undefined): string {
  if (run.config.existing) return `existing ${run.config.existing.name}: looked up, never changed`;
  if (run.config.external) return "external: reached through its kubeconfig, never changed";
  if (run.config.cluster === "kind") return "local: created with kind";
  return `${created?.type ?? "?"} ${created?.name ?? "?"}`;
}

/** The chain, in order, for the stack just evaluated into `rec`. */
export async function identityChain(rec: Recorder, run: Evaluation): Promise<ChainStep[]> {
  const value = <V>(o: { apply: (f: (v: V) => void) => unknown }) =>
    new Promise<V>((resolve) => void o.apply(resolve));
  const cluster = first(rec, CLUSTERS[run.config.cluster].resourceType);
  const sa = rec.ofType(T.sa).find((r) => r.name.endsWith("-sa"));
  const job = rec.ofType(T.job).find((r) => r.name.endsWith("-verify"));
  const spec = job?.inputs.spec?.template?.spec;
  const projected: string[] = (spec?.volumes ?? []).flatMap((v: any) =>
    (v.projected?.sources ?? [])
      .filter((s: any) => s.serviceAccountToken)
      .map(
        (s: any) =>
          `${s.serviceAccountToken.audience}, projected by the pod (${s.serviceAccountToken.expirationSeconds} s)`,
      ),
  );
  return [
    {
      step: "cluster",
      detail: `${run.config.cluster.toUpperCase()} (${clusterOrigin(run, cluster)}) in ${CLUSTERS[run.config.cluster].location(run.config)}`,
    },
    { step: "OIDC issuer", detail: await value<string>(run.outputs.oidcIssuerUrl) },
    ...issuerCheck(rec),
    ...selfHostedIssuer(rec),
    {
      step: "pods",
      detail: `namespace ${sa?.inputs.metadata?.namespace}, ServiceAccount ${sa?.inputs.metadata?.name}`,
    },
    {
      step: "token audience",
      detail: projected.length > 0 ? projected.join("; ") : injectedAudience(rec, sa),
    },
    ...awsTrust(rec),
    ...gcpTrust(rec),
    ...azureTrust(rec),
    {
      step: "object",
      detail: `${await value<string>(run.outputs.objectUrl)} in ${STORAGES[run.config.storage].location(run.config)}`,
    },
  ];
}
