/**
 * The workload-identity component package: every class exported here is a component other
 * languages use through `pulumi package add` (Pulumi's plugin runner serves the ComponentResource
 * classes this module exports: @pulumi/pulumi cmd/run-plugin/run.js `getPulumiComponents`). Export
 * nothing else that is a component: it would become part of the package.
 */
export { S3Bucket, PodIdentityS3Binding, IrsaS3Binding, OidcS3Binding } from "./aws";
export { GcsBucket, GkeGcsBinding, OidcGcsBinding } from "./gcp";
export { BlobContainer, AksBlobBinding, OidcBlobBinding } from "./azure";
