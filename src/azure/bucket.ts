import * as authorization from "@pulumi/azure-native/authorization";
import * as resources from "@pulumi/azure-native/resources";
import * as storage from "@pulumi/azure-native/storage";
import * as pulumi from "@pulumi/pulumi";
import { RandomString } from "@pulumi/random/randomString";
import { HELLO_CONTENT, helloKey, shortHash, type AccessLevel } from "../core";
import { componentTags, type Tags } from "../core";

/**
 * Storage Blob Data Reader: read and list blobs, nothing on the management plane (no account
 * keys). https://learn.microsoft.com/en-us/azure/role-based-access-control/built-in-roles/storage#storage-blob-data-reader
 */
export const STORAGE_BLOB_DATA_READER = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";

/**
 * Storage Blob Data Contributor: read, write, delete (and move, add) blobs; nothing on the
 * management plane. For `write` workloads, always with a path condition when they have a prefix.
 * https://learn.microsoft.com/en-us/azure/role-based-access-control/built-in-roles/storage#storage-blob-data-contributor
 */
export const STORAGE_BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";

/** The data actions conditions name, under `Microsoft.Storage/…/containers/blobs`. */
export const BLOBS = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs";
/** Contributor's data actions that write, each needing the path condition too. */
export const BLOB_WRITE_ACTIONS = ["write", "add/action", "delete", "move/action"] as const;

/**
 * The role assignment condition (version 2.0) that confines a Blob data role to blobs under
 * `prefix`; none for the whole container. In the grammar and shape of Microsoft's examples "Read
 * or list blobs in named containers with a path" and "Write blobs in named containers with a path"
 * (https://learn.microsoft.com/en-us/azure/storage/blobs/storage-auth-abac-examples): an action
 * the first expression names is allowed only when the blob's path starts with the prefix; listing
 * (`Blob.List`, which has no blob path) only when the request's `prefix` does. Actions it does not
 * name (none the two roles hold) are not restricted. The container is the assignment's scope, so
 * no container-name clause is needed. A prefix holds no `'` (config.ts `keyPrefixProblem`).
 */
export function blobPrefixCondition(access: AccessLevel, prefix: string): string | undefined {
  if (prefix === "") return undefined;
  const read = `!(ActionMatches{'${BLOBS}/read'} AND NOT SubOperationMatches{'Blob.List'})`;
  const writes =
    access === "write" ? BLOB_WRITE_ACTIONS.map((a) => `!(ActionMatches{'${BLOBS}/${a}'})`) : [];
  return (
    `((${[read, ...writes].join(" AND ")}) OR (@Resource[${BLOBS}:path] StringStartsWith '${prefix}'))` +
    ` AND ((!(ActionMatches{'${BLOBS}/read'} AND SubOperationMatches{'Blob.List'})) OR (@Request[${BLOBS}:prefix] StringStartsWith '${prefix}'))`
  );
}

/** The full ID of a built-in role definition in a subscription, as role assignments take it. */
export function roleDefinitionId(subscriptionId: pulumi.Input<string>, roleId: string) {
  return pulumi.interpolate`/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${roleId}`;
}

/**
 * The container's name, fixed. Container names are 3–63 lowercase letters, digits and single
 * hyphens, starting and ending with a letter or digit
 * (https://learn.microsoft.com/rest/api/storageservices/naming-and-referencing-containers--blobs--and-metadata#container-names);
 * a name auto-derived from the stack could hold `--` (stack `a--b`). The account is ours alone,
 * so one fixed name cannot collide.
 */
export const CONTAINER_NAME = "hello";

/** Lowercase letters and digits appended to the account name so it is unique across Azure. */
export const ACCOUNT_SUFFIX_LENGTH = 6;
/** Storage account names: 3–24 lowercase letters and digits, unique across all of Azure. */
const ACCOUNT_NAME_MAX = 24;

/**
 * The readable start of a storage account name: `prefix` without what account names cannot hold.
 * Throws if nothing is left or too much: the random suffix must still fit in 24 characters.
 */
export function accountNameBase(prefix: string): string {
  return prefix.toLowerCase().replace(/[^a-z0-9]/g, "");
}

/** Why `prefix` cannot start a storage account name, or undefined. */
export function accountNamePrefixProblem(prefix: string): string | undefined {
  const base = accountNameBase(prefix);
  const max = ACCOUNT_NAME_MAX - ACCOUNT_SUFFIX_LENGTH;
  if (base.length >= 1 && base.length <= max) return undefined;
  return (
    `accountNamePrefix: ${JSON.stringify(prefix)} leaves ${base.length} letters and digits; ` +
    `a storage account name is 3–${ACCOUNT_NAME_MAX} lowercase letters and digits and ends in ` +
    `${ACCOUNT_SUFFIX_LENGTH} random ones, so give 1–${max}`
  );
}

export interface StorageAccountArgs {
  readonly location: string;
  /** Starts the account's name: its letters and digits, then 6 random ones. */
  readonly accountNamePrefix: string;
  readonly tags: Tags;
  /** Whether a container may allow anonymous blob reads: only an OIDC issuer's account. */
  readonly publicBlobs: boolean;
}

/**
 * A resource group and a StorageV2 account of its own in it: TLS 1.2 or newer, HTTPS only, no
 * cross-tenant replication, Entra ID by default where a tool can choose, anonymous blob reads
 * only when `publicBlobs`. Shared-key access stays allowed: the azure-native provider uploads
 * (and reads back) a Blob with the account key (ListKeys + SharedKey,
 * pulumi/pulumi-azure-native#2015), so without it every Blob upload, refresh and destroy fails
 * with KeyBasedAuthenticationNotPermitted.
 */
export function storageAccount(
  name: string,
  args: StorageAccountArgs,
  parent: pulumi.Resource,
): { readonly group: resources.ResourceGroup; readonly account: storage.StorageAccount } {
  const group = new resources.ResourceGroup(
    `${name}-rg`,
    { location: args.location, tags: args.tags },
    { parent },
  );
  // Account names are global across Azure: a random suffix, kept in state, makes this one ours.
  const suffix = new RandomString(
    `${name}-suffix`,
    { length: ACCOUNT_SUFFIX_LENGTH, lower: true, upper: false, numeric: true, special: false },
    { parent },
  );
  const account = new storage.StorageAccount(
    `${name}-account`,
    {
      accountName: pulumi.interpolate`${accountNameBase(args.accountNamePrefix)}${suffix.result}`,
      resourceGroupName: group.name,
      location: group.location,
      kind: storage.Kind.StorageV2,
      sku: { name: storage.SkuName.Standard_LRS },
      allowBlobPublicAccess: args.publicBlobs,
      minimumTlsVersion: storage.MinimumTlsVersion.TLS1_2,
      enableHttpsTrafficOnly: true,
      allowSharedKeyAccess: true,
      // The portal and tools that can choose default to Entra ID, not the key.
      defaultToOAuthAuthentication: true,
      allowCrossTenantReplication: false,
      tags: args.tags,
    },
    { parent },
  );
  return { group, account };
}

/** What is wrong with `args`, as messages; empty when nothing is. */
export function validateBucketWithPolicyArgs(args: BucketWithPolicyArgs): string[] {
  const problem = accountNamePrefixProblem(args.accountNamePrefix);
  return problem ? [problem] : [];
}

export interface BucketWithPolicyArgs {
  /** The Azure location of the resource group and the account, e.g. `swedencentral`. */
  readonly location: string;
  /**
   * Starts the storage account's name (e.g. the stack prefix `wi-aks` gives `wiaks` + 6 random
   * letters and digits). Only letters and digits are kept, at most 18 of them.
   */
  readonly accountNamePrefix: string;
  readonly tags: Tags;
  /**
   * The blob name prefixes to hold a `hello.txt` under (`""`: the container's root).
   * @default [""]
   */
  readonly prefixes?: readonly string[];
}

/**
 * A private Blob container holding `hello.txt`, in a StorageV2 account of its own resource group:
 * no anonymous access, TLS 1.2 or newer, HTTPS only. Publishes what reading it takes, for a
 * binding to grant: the Storage Blob Data Reader role, scoped to this container only.
 *
 * Shared-key access stays allowed, for the provider's own Blob upload (`storageAccount`). The
 * pods never use a key: they sign in with Microsoft Entra, and their identity holds a data-plane
 * role on one container and nothing on the management plane, so it cannot list the keys.
 */
export class BucketWithPolicy extends pulumi.ComponentResource {
  public readonly resourceGroupName: pulumi.Output<string>;
  public readonly accountName: pulumi.Output<string>;
  public readonly containerName: pulumi.Output<string>;
  public readonly blobName: pulumi.Output<string>;
  /** The container's resource ID: the scope a reader's role assignment gets, and no wider. */
  public readonly containerId: pulumi.Output<string>;
  /** The full ID of Storage Blob Data Reader in this subscription. */
  public readonly readRoleDefinitionId: pulumi.Output<string>;
  /** The full ID of Storage Blob Data Contributor in this subscription. */
  public readonly writeRoleDefinitionId: pulumi.Output<string>;
  /** The first prefix's `https://<account>.blob.core.windows.net/<container>/<prefix>hello.txt`. */
  public readonly objectUrl: pulumi.Output<string>;
  private readonly hellos = new Map<string, storage.Blob>();

  constructor(name: string, args: BucketWithPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("workload-identity:azure:BucketWithPolicy", name, {}, opts);
    const problems = validateBucketWithPolicyArgs(args);
    if (problems.length > 0) throw new pulumi.ResourceError(problems.join("; "), this);
    const tags = componentTags(args.tags, "bucket");
    const { group, account } = storageAccount(
      name,
      {
        location: args.location,
        accountNamePrefix: args.accountNamePrefix,
        tags,
        publicBlobs: false,
      },
      this,
    );
    const container = new storage.BlobContainer(
      `${name}-container`,
      {
        accountName: account.name,
        resourceGroupName: group.name,
        containerName: CONTAINER_NAME,
        publicAccess: storage.PublicAccess.None,
      },
      { parent: this },
    );
    const prefixes = [...new Set(args.prefixes ?? [""])];
    // One hello.txt per prefix; the container root's keeps its name `<name>-hello`.
    for (const prefix of prefixes) {
      const hello = new storage.Blob(
        prefix === "" ? `${name}-hello` : `${name}-hello-${shortHash(prefix)}`,
        {
          accountName: account.name,
          resourceGroupName: group.name,
          containerName: container.name,
          blobName: helloKey(prefix),
          type: storage.BlobType.Block,
          contentType: "text/plain",
          source: new pulumi.asset.StringAsset(HELLO_CONTENT),
        },
        { parent: this },
      );
      this.hellos.set(prefix, hello);
    }
    const client = authorization.getClientConfigOutput({ parent: this });

    this.resourceGroupName = group.name;
    this.accountName = account.name;
    this.containerName = container.name;
    const first = this.helloOf(prefixes[0]);
    this.blobName = first.name;
    this.containerId = container.id;
    this.readRoleDefinitionId = roleDefinitionId(client.subscriptionId, STORAGE_BLOB_DATA_READER);
    this.writeRoleDefinitionId = roleDefinitionId(
      client.subscriptionId,
      STORAGE_BLOB_DATA_CONTRIBUTOR,
    );
    this.objectUrl = first.url;
    this.registerOutputs({
      resourceGroupName: this.resourceGroupName,
      accountName: this.accountName,
      containerName: this.containerName,
      blobName: this.blobName,
      containerId: this.containerId,
      readRoleDefinitionId: this.readRoleDefinitionId,
      objectUrl: this.objectUrl,
    });
  }

  /** The `hello.txt` blob under one of `args.prefixes`. */
  public helloOf(prefix: string): storage.Blob {
    const hello = this.hellos.get(prefix);
    if (!hello) throw new Error(`internal: no hello.txt under ${JSON.stringify(prefix)}`);
    return hello;
  }
}
