import * as pulumi from "@pulumi/pulumi";
import { IssuerCheck } from "./issuer";

export interface IdentityAgentArgs {
  /** The configured issuer, exactly as the cluster's tokens carry it in `iss`. */
  readonly oidcIssuerUrl: pulumi.Input<string>;
}

/**
 * The identity agent of an external cluster is no agent at all: its pods project their own
 * ServiceAccount tokens (a kubelet feature of every conformant cluster), and the storage cloud
 * trusts the issuer directly. What can go wrong is the issuer, so this component is the issuer
 * check (`IssuerCheck`): pods that depend on it start only once the issuer's discovery document
 * names exactly the configured issuer and serves its keys over https.
 */
export class IdentityAgent extends pulumi.ComponentResource {
  public readonly issuerCheck: IssuerCheck;
  /** The key set's address the discovery document gives (unknown until `pulumi up`). */
  public readonly jwksUri: pulumi.Output<string>;

  constructor(name: string, args: IdentityAgentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("workload-identity:external:IdentityAgent", name, {}, opts);
    this.issuerCheck = new IssuerCheck(
      `${name}-issuer`,
      { issuerUrl: args.oidcIssuerUrl },
      { parent: this },
    );
    this.jwksUri = this.issuerCheck.jwksUri;
    this.registerOutputs({ jwksUri: this.jwksUri });
  }
}
