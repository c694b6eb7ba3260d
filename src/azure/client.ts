import * as pulumi from "@pulumi/pulumi";
import type { PodEnvVar, StorageClient, WriteCommands } from "../core";

/**
 * The Azure CLI image, pinned so a run is repeatable (`az login --federated-token` needs 2.30 or
 * newer). Tags: https://mcr.microsoft.com/v2/azure-cli/tags/list
 */
export const AZURE_CLI_IMAGE = "mcr.microsoft.com/azure-cli:2.81.0";

/**
 * Signs in as the managed identity with the token the workload identity webhook projects, using the
 * three variables it injects. `--allow-no-subscriptions`: the identity holds a role on one
 * container and none on any subscription, so there is no subscription to select.
 */
export const FEDERATED_LOGIN =
  'az login --service-principal -u "$AZURE_CLIENT_ID" -t "$AZURE_TENANT_ID" ' +
  '--federated-token "$(cat "$AZURE_FEDERATED_TOKEN_FILE")" --allow-no-subscriptions -o none';

/**
 * Blob storage refusing an Entra-authenticated read: HTTP 403 with error code
 * `AuthorizationPermissionMismatch` (the principal lacks a data action such as
 * `…/blobs/read`), which the Azure CLI prints with the error code. `AuthorizationFailure` is left
 * out: it also answers network rules, which say nothing about the identity.
 */
export const BLOB_REFUSAL = "AuthorizationPermissionMismatch";

/**
 * Entra refusing the token exchange because no federated identity credential matches: AADSTS70021
 * "No matching federated identity record found for presented assertion", and its more specific
 * AADSTS700213 (subject). The denial pod presents a token of the same issuer and audience the
 * bound pod just exchanged, so only its subject can be what no credential matches.
 */
export const ENTRA_FEDERATION_REFUSAL = "AADSTS700213|AADSTS70021";

/** Prints the client ID of the signed-in identity (`user.name` of a service principal login). */
export const WHOAMI = "az account show --query user.name -o tsv";

export interface BlobClientArgs {
  readonly accountName: pulumi.Input<string>;
  readonly containerName: pulumi.Input<string>;
  readonly blobName: pulumi.Input<string>;
  /** The managed identity's client ID: what `WHOAMI` prints when the chain is right. */
  readonly clientId: pulumi.Input<string>;
}

/**
 * The Azure CLI reading one blob as the identity it signed in as, with an Entra token
 * (`--auth-mode login`; without it the CLI looks for an account key). The download goes to a file
 * under the writable /tmp, removed first so an old copy cannot pass for a new read.
 */
export function blobClient(args: BlobClientArgs): StorageClient {
  const env: PodEnvVar[] = [
    // The CLI keeps its token cache and logs here; the root filesystem is read-only.
    { name: "AZURE_CONFIG_DIR", value: "/tmp/.azure" },
    { name: "AZURE_CORE_COLLECT_TELEMETRY", value: "false" },
  ];
  const file = "/tmp/hello.txt";
  return {
    image: AZURE_CLI_IMAGE,
    cli: "az",
    refusal: BLOB_REFUSAL,
    env,
    login: FEDERATED_LOGIN,
    whoami: WHOAMI,
    expectedIdentity: args.clientId,
    // Role assignments take up to ten minutes to apply: a longer wait than IAM's.
    attempts: 60,
    read: blobReadCommand(args.accountName, args.containerName, args.blobName, file),
  };
}

/** The flags naming one container to the Azure CLI, signed in with Entra ID (no key). */
function containerFlags(
  accountName: pulumi.Input<string>,
  containerName: pulumi.Input<string>,
): pulumi.Output<string> {
  return pulumi.interpolate`--auth-mode login --account-name ${accountName} --container-name ${containerName}`;
}

/**
 * Prints one blob: downloads it to `file` (removed first, so an old copy cannot pass for a new
 * read) and prints that.
 */
export function blobReadCommand(
  accountName: pulumi.Input<string>,
  containerName: pulumi.Input<string>,
  blobName: pulumi.Input<string>,
  file: string,
): pulumi.Output<string> {
  return pulumi.interpolate`rm -f ${file} && az storage blob download ${containerFlags(accountName, containerName)} --name ${blobName} --file ${file} -o none && cat ${file}`;
}

/**
 * How a writer writes, reads back and deletes a blob under its prefix; `$key` is the blob's name.
 * `az storage blob upload --data` uploads a string, `--overwrite` replaces a leftover
 * (https://learn.microsoft.com/en-us/cli/azure/storage/blob#az-storage-blob-upload).
 */
export function blobWriteCommands(
  accountName: pulumi.Input<string>,
  containerName: pulumi.Input<string>,
  prefix: string,
): WriteCommands {
  const flags = containerFlags(accountName, containerName);
  return {
    prefixUrl: prefix,
    put: pulumi.interpolate`az storage blob upload ${flags} --name "$key" --data "$(cat)" --overwrite -o none`,
    get: blobReadCommand(accountName, containerName, '"$key"', "/tmp/write-check.txt"),
    remove: pulumi.interpolate`az storage blob delete ${flags} --name "$key" -o none`,
  };
}
