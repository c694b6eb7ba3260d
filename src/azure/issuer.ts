/**
 * Blob Storage as the public home of a self-hosted OIDC issuer (`cluster: kind`): a storage
 * account and container of their own, holding only the discovery document and the key set.
 *
 * Azure has no per-object grant for anonymous readers: anonymous access is set per container
 * (`Blob`: anyone may read a blob whose name they know, but not list the container;
 * https://learn.microsoft.com/azure/storage/blobs/anonymous-read-access-configure), and needs
 * `allowBlobPublicAccess` on the account. Both are set on an account that holds these two blobs
 * and nothing else; the data account stays private. The azure-workload-identity guide publishes
 * its issuer the same way (installation/self-managed-clusters/oidc-issuer.md).
 */
import * as storage from "@pulumi/azure-native/storage";
import * as pulumi from "@pulumi/pulumi";
import {
  issuerObjects,
  settingsOf,
  type IssuerDocuments,
  type IssuerHost,
  type StackConfig,
  type Tags,
  issuerTags,
} from "../core";
import {
  ACCOUNT_SUFFIX_LENGTH,
  accountNameBase,
  accountNamePrefixProblem,
  storageAccount,
} from "./bucket";

/** The issuer's container; the account is the issuer's alone, so a fixed name cannot collide. */
export const ISSUER_CONTAINER = "oidc";

/** The issuer URL of an account's container: no trailing `/`. */
export function blobIssuerUrl(account: string): string {
  return `https://${account}.blob.core.windows.net/${ISSUER_CONTAINER}`;
}

export interface IssuerAccountArgs {
  readonly location: string;
  /** Starts the account name, as for the data account (letters and digits kept). */
  readonly accountNamePrefix: string;
  readonly tags: Tags;
  readonly documents: (issuerUrl: pulumi.Output<string>) => IssuerDocuments;
}

/**
 * A StorageV2 account serving an OIDC issuer from one container with anonymous blob reads: TLS
 * 1.2, HTTPS only, and the two documents as its only blobs.
 */
export class IssuerAccount extends pulumi.ComponentResource {
  public readonly issuerUrl: pulumi.Output<string>;
  public readonly accountName: pulumi.Output<string>;
  public readonly objects: readonly storage.Blob[];

  constructor(name: string, args: IssuerAccountArgs, opts?: pulumi.ComponentResourceOptions) {
    super("workload-identity:azure:IssuerAccount", name, {}, opts);
    const problem = accountNamePrefixProblem(args.accountNamePrefix);
    if (problem) throw new pulumi.ResourceError(problem, this);
    // The policy pack's marker (policy/issuer.ts): it lets this account, and only an account with
    // nothing but the two documents, allow anonymous blob reads.
    const tags = issuerTags(args.tags);
    // The issuer's documents only: the one account of the stack that allows anonymous reads.
    const { group, account } = storageAccount(
      name,
      {
        location: args.location,
        accountNamePrefix: args.accountNamePrefix,
        tags,
        publicBlobs: true,
      },
      this,
    );
    const container = new storage.BlobContainer(
      `${name}-container`,
      {
        accountName: account.name,
        resourceGroupName: group.name,
        containerName: ISSUER_CONTAINER,
        publicAccess: storage.PublicAccess.Blob,
      },
      { parent: this },
    );
    this.accountName = account.name;
    this.issuerUrl = account.name.apply(blobIssuerUrl);
    const documents = args.documents(this.issuerUrl);
    this.objects = issuerObjects(name, documents).map(
      (object) =>
        new storage.Blob(
          object.name,
          {
            accountName: account.name,
            resourceGroupName: group.name,
            containerName: container.name,
            blobName: object.path,
            type: storage.BlobType.Block,
            contentType: "application/json",
            source: pulumi
              .output(object.content)
              .apply((text) => new pulumi.asset.StringAsset(text)),
          },
          { parent: this },
        ),
    );
    this.registerOutputs({ issuerUrl: this.issuerUrl, accountName: this.accountName });
  }
}

const worstCaseAccount = (config: StackConfig) =>
  `${accountNameBase(config.prefix)}${"x".repeat(ACCOUNT_SUFFIX_LENGTH)}`;

/** Blob Storage as an issuer host: an account of its own, in the storage's location. */
export const blobIssuerHost: IssuerHost = {
  worstCaseIssuer: (config) => blobIssuerUrl(worstCaseAccount(config)),
  problems(config) {
    const problem = accountNamePrefixProblem(config.prefix);
    return problem
      ? [`stack name ${JSON.stringify(config.stack)} (prefix ${config.prefix}): ${problem}`]
      : [];
  },
  publish({ config, tags, providerOf }, name, documents, opts) {
    const bucket = new IssuerAccount(
      name,
      {
        location: settingsOf(config, "azure").location,
        accountNamePrefix: config.prefix,
        tags,
        documents,
      },
      { ...opts, providers: { "azure-native": providerOf("azure") } },
    );
    return { issuerUrl: bucket.issuerUrl, published: bucket.objects };
  },
};
