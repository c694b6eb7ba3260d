import * as pulumi from "@pulumi/pulumi";
import { PrivateKey } from "@pulumi/tls/privateKey";
import type { IssuerHost, SideContext } from "../core";
import { discoveryDocument, jwksDocument } from "./documents";

/** RSA, as kube-apiserver signs RS256 (pkg/serviceaccount/jwt.go `signerFromRSAPrivateKey`). */
export const RSA_BITS = 2048;

export interface IssuerArgs {
  /** The storage's cloud, which publishes the two documents. */
  readonly host: IssuerHost;
  /** What the host builds its resources with (its cloud's provider, the tags). */
  readonly context: SideContext;
}

/**
 * The self-hosted issuer of a kind cluster: the signing key (`@pulumi/tls`, RSA 2048; its private
 * half is a secret in the state), and its public half published by the storage's cloud as a
 * discovery document and key set, at the issuer URL the cloud derives from its bucket.
 *
 * It is the kind cluster's identity agent: pods that exchange a token are created after it, once
 * the storage cloud can fetch the keys.
 */
export class Issuer extends pulumi.ComponentResource {
  public readonly issuerUrl: pulumi.Output<string>;
  public readonly privateKeyPem: pulumi.Output<string>;
  public readonly publicKeyPem: pulumi.Output<string>;
  /** The published documents, as JSON text. */
  public readonly discovery: pulumi.Output<string>;
  public readonly jwks: pulumi.Output<string>;
  /** The two public objects. */
  public readonly published: readonly pulumi.Resource[];

  constructor(name: string, args: IssuerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("workload-identity:kind:Issuer", name, {}, opts);
    // tls marks privateKeyPem (and its other private forms) as secret outputs itself
    // (@pulumi/tls privateKey.js: `additionalSecretOutputs: ["privateKeyOpenssh", "privateKeyPem",
    // "privateKeyPemPkcs8"]`).
    const key = new PrivateKey(
      `${name}-key`,
      { algorithm: "RSA", rsaBits: RSA_BITS },
      { parent: this },
    );
    const jwks = key.publicKeyPem.apply((pem) => jwksDocument([pem]));
    let discovery: pulumi.Output<string> | undefined;
    const publication = args.host.publish(
      args.context,
      name,
      (issuerUrl) => {
        discovery = issuerUrl.apply(discoveryDocument);
        return { discovery, jwks };
      },
      { parent: this },
    );
    if (!discovery) throw new Error("internal: the issuer host never asked for the documents");
    this.issuerUrl = publication.issuerUrl;
    this.privateKeyPem = pulumi.secret(key.privateKeyPem);
    this.publicKeyPem = key.publicKeyPem;
    this.discovery = discovery;
    this.jwks = jwks;
    this.published = publication.published;
    this.registerOutputs({
      issuerUrl: this.issuerUrl,
      publicKeyPem: this.publicKeyPem,
      discovery: this.discovery,
      jwks: this.jwks,
    });
  }
}
