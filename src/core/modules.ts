/**
 * What each kind of cluster and storage declares about itself, for the registry (`src/registry.ts`):
 * its settings and their validation, its provider, the side it builds and its naming limits. The
 * rest of the program asks the registry; nothing else dispatches on a kind.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ClusterOffer, ClusterSide, StorageSide } from "./contracts";
import type { Cloud, ClusterKind, StorageKind } from "./kinds";
import type { CloudSettings, RawConfig, StackConfig } from "./settings";
import type { Tags } from "./tags";

/** A cloud: the provider settings it reads and the explicit provider it builds from them. */
export interface CloudModule<C extends Cloud> {
  readonly cloud: C;
  /** How people write the cloud's name in messages: `AWS`, `Google Cloud`, `Azure`. */
  readonly title: string;
  /** The provider config keys it reads, e.g. `aws:region`. */
  readonly keys: readonly `${string}:${string}`[];
  /**
   * Validates the cloud's settings from `raw`; `reason` says why the stack needs them (for
   * messages). Throws `ConfigError` naming the key, the value and what is allowed.
   */
  settings(raw: RawConfig, reason: string, stack: string): CloudSettings[C];
  /** The explicit provider every resource of this cloud uses; no ambient default. */
  provider(name: string, settings: CloudSettings[C]): pulumi.ProviderResource;
}

/** What a side is built with: the validated config, the tags and the stack's cloud providers. */
export interface SideContext {
  readonly config: StackConfig;
  readonly tags: Tags;
  /** The explicit provider of a cloud the stack touches (its cluster's or its storage's). */
  readonly providerOf: (cloud: Cloud) => pulumi.ProviderResource;
  /**
   * Where a cluster that signs its own tokens publishes its issuer: the storage's cloud
   * (`StorageModule.issuerHost`). Absent when the storage cannot host one.
   */
  readonly issuerHost?: IssuerHost;
}

/** The two documents of a self-hosted OIDC issuer, as the JSON text to publish. */
export interface IssuerDocuments {
  /** Served at `<issuer>/.well-known/openid-configuration`. */
  readonly discovery: pulumi.Input<string>;
  /** Served at `<issuer>/openid/v1/jwks` (the discovery document's `jwks_uri`). */
  readonly jwks: pulumi.Input<string>;
}

/** Where an issuer serves its two documents, below its URL. */
export const ISSUER_DOCUMENT_PATHS = {
  /** OpenID Connect Discovery 1.0 §4. */
  discovery: ".well-known/openid-configuration",
  /** The path kube-apiserver serves its own key set at (the discovery document's `jwks_uri`). */
  jwks: "openid/v1/jwks",
} as const;

/** The objects an issuer host publishes: each document's logical name, path and content. */
export function issuerObjects(
  name: string,
  documents: IssuerDocuments,
): { readonly name: string; readonly path: string; readonly content: pulumi.Input<string> }[] {
  return (["discovery", "jwks"] as const).map((document) => ({
    name: `${name}-${document}`,
    path: ISSUER_DOCUMENT_PATHS[document],
    content: documents[document],
  }));
}

/** An issuer published in a cloud: its URL, and the public objects that serve it. */
export interface PublishedIssuer {
  /** `https://…`, without a trailing `/`: the `iss` the tokens carry and the storage trusts. */
  readonly issuerUrl: pulumi.Output<string>;
  /** The two public objects; a cluster signing for this issuer is created after them. */
  readonly published: readonly pulumi.Resource[];
}

/**
 * A storage's cloud as the public home of a self-hosted issuer (a bucket of its own, readable by
 * anyone for exactly the two documents). The URL comes from the bucket's name, so it is known
 * before the documents, which name it: `publish` hands it to `documents` and publishes the result.
 */
export interface IssuerHost {
  /** The longest issuer URL this host can give for `config`, for worst-case limits. */
  worstCaseIssuer(config: StackConfig): string;
  /** What the host would derive from the config that its cloud would refuse (names). */
  problems(config: StackConfig): readonly string[];
  publish(
    context: SideContext,
    name: string,
    documents: (issuerUrl: pulumi.Output<string>) => IssuerDocuments,
    opts?: pulumi.ComponentResourceOptions,
  ): PublishedIssuer;
}

/** A kind of cluster: the cluster and its identity agent. */
export interface ClusterModule {
  readonly kind: ClusterKind;
  /** The cloud it runs on; none for a cluster the stack only connects to (`external`). */
  readonly cloud?: Cloud;
  /** What `storage` means when left empty: the cluster's own cloud's storage, if it has one. */
  readonly nativeStorage?: StorageKind;
  /** The Pulumi type of the cloud's cluster resource, for tools that read a recorded stack. */
  readonly resourceType: string;
  /**
   * Why the cloud would refuse `name` as an existing cluster's name, or undefined; absent when
   * this kind cannot adopt an existing cluster.
   */
  existingNameProblem?(name: string): string | undefined;
  /**
   * The longest OIDC issuer URL (with `https://`) this kind can have, for worst-case limits;
   * `storage` is the stack's, for a kind whose issuer the storage's cloud hosts.
   */
  worstCaseIssuer(config: StackConfig, storage?: StorageModule): string;
  /** What the clouds would refuse of this kind's own derived names, beyond the storage's. */
  problems?(config: StackConfig, storage: StorageModule): readonly string[];
  /** Where the stack puts the cluster, as its config says: `eu-north-1`, `europe-north1-a`. */
  location(config: StackConfig): string;
  build(context: SideContext): ClusterSide;
}

/** A kind of storage: the bucket, and the binding that trusts a cluster's workload to read it. */
export interface StorageModule {
  readonly kind: StorageKind;
  readonly cloud: Cloud;
  /**
   * What this storage would derive from the config that its cloud would refuse (names, sizes), as
   * messages naming the config key or the stack; `issuer` is the cluster's worst-case issuer.
   */
  problems(config: StackConfig, issuer: string): readonly string[];
  /** Where the stack puts the bucket, as its config says. */
  location(config: StackConfig): string;
  /** Where a self-hosted issuer (`cluster: kind`) is published in this storage's cloud. */
  readonly issuerHost?: IssuerHost;
  build(context: SideContext, cluster: ClusterOffer): StorageSide;
}
