import * as pulumi from "@pulumi/pulumi";
import type { PodEnvVar, StorageClient, WriteCommands } from "../core";

/**
 * The Google Cloud CLI, Debian "slim" variant (gcloud plus curl), pinned so a run is repeatable.
 * Google deletes image versions older than a year from this repository: bump it when it ages.
 */
export const GCLOUD_IMAGE = "gcr.io/google.com/cloudsdktool/google-cloud-cli:587.0.0-slim";

/**
 * Tries, 10 s apart (plus the commands' own time): IAM grants usually reach Cloud Storage within
 * about 2 minutes, sometimes 7 or more (cloud.google.com/iam/docs/access-change-propagation).
 */
export const GCS_VERIFY_ATTEMPTS = 48;

/**
 * Cloud Storage refusing a read: HTTP 403 whose message says the caller "does not have
 * storage.objects.get access to the Google Cloud Storage object. Permission 'storage.objects.get'
 * denied on resource (or it may not exist)", which gcloud prints after "HTTPError 403". Only the
 * permission text counts: a bare 403 may also be a disabled API or billing, nothing about the
 * identity.
 */
export const GCS_REFUSAL =
  "does not have storage\\.objects\\.get access|Permission 'storage\\.objects\\.get' denied";

/** The metadata server's answer to "which account am I": with GKE_METADATA, the GKE metadata server's. */
export const METADATA_EMAIL_URL =
  "http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/email";

/** gcloud writes its configuration and logs; the root filesystem is read-only. */
const GCLOUD_ENV: readonly PodEnvVar[] = [
  { name: "CLOUDSDK_CONFIG", value: "/tmp/gcloud" },
  { name: "CLOUDSDK_CORE_DISABLE_PROMPTS", value: "1" },
];

/**
 * gcloud reading `gs://<bucket>/<key>` with whatever credentials the metadata server hands the pod.
 *
 * Identity check: with Workload Identity Federation for GKE and no Google service account to
 * impersonate (the direct route), the metadata server reports the pool, `<project>.svc.id.goog`,
 * as the pod's account. A node's own service account (`…@<project>.iam.gserviceaccount.com`),
 * which a pod on a `GCE_METADATA` node would get, never contains it.
 */
export function gcsClient(args: {
  readonly objectUrl: pulumi.Input<string>;
  /** `<project>.svc.id.goog`, as the cluster reports it. */
  readonly workloadPool: pulumi.Input<string>;
}): StorageClient {
  return {
    image: GCLOUD_IMAGE,
    cli: "gcloud",
    refusal: GCS_REFUSAL,
    env: GCLOUD_ENV,
    whoami: `curl -sSf --max-time 5 -H 'Metadata-Flavor: Google' ${METADATA_EMAIL_URL}`,
    expectedIdentity: args.workloadPool,
    read: pulumi.interpolate`gcloud storage cat ${args.objectUrl}`,
    attempts: GCS_VERIFY_ATTEMPTS,
  };
}

/**
 * gcloud reading `gs://<bucket>/<key>` with an external_account credential configuration (a
 * cluster outside Google Cloud, through a Workload Identity pool), as exactly `member`.
 */
export function federatedGcsClient(args: {
  readonly objectUrl: pulumi.Input<string>;
  /** The `principal://…/subject/system:serviceaccount:<ns>:<sa>` the bucket grants. */
  readonly member: pulumi.Input<string>;
}): StorageClient {
  return {
    image: GCLOUD_IMAGE,
    cli: "gcloud",
    env: GCLOUD_ENV,
    // gcloud ignores GOOGLE_APPLICATION_CREDENTIALS for its own calls: log in with the file.
    login: `gcloud auth login --cred-file="$GOOGLE_APPLICATION_CREDENTIALS" --quiet`,
    // After `login --cred-file` with an external_account configuration and no impersonation,
    // gcloud names the account by the STS token introspection's `username`
    // (googlecloudsdk/core/credentials/external_account.py and introspect.py,
    // GetExternalAccountId), which for a workload identity pool is
    // `principal://iam.googleapis.com/projects/<number>/locations/global/workloadIdentityPools/<pool>/subject/<subject>`
    // (STS v1 IntrospectTokenResponse.username). So the active account must be the member the
    // bucket grants: the exchanged credential's own principal, verified by STS.
    whoami: "gcloud auth list --filter=status:ACTIVE --format='value(account)'",
    expectedIdentity: args.member,
    // Exactly: `…:demo:demo` is contained in another ServiceAccount's `…:demo:demo-unbound`.
    identityMatch: "equals",
    read: pulumi.interpolate`gcloud storage cat ${args.objectUrl}`,
    attempts: GCS_VERIFY_ATTEMPTS,
    refusal: GCS_REFUSAL,
  };
}

/** gcloud printing another object of the bucket, by key (the cross-workload denial). */
export function gcsReadKey(
  bucketName: pulumi.Input<string>,
): (key: string) => pulumi.Input<string> {
  return (key) => pulumi.interpolate`gcloud storage cat gs://${bucketName}/${key}`;
}

/**
 * How a writer writes, reads back and deletes an object under its prefix, by name only: a
 * workload with a prefix holds no `storage.objects.list` (see `prefixCondition`). The write is a
 * JSON API simple upload with curl and gcloud's access token, as Cloud Storage documents it
 * (https://cloud.google.com/storage/docs/uploading-objects, "REST APIs": `POST
 * https://storage.googleapis.com/upload/storage/v1/b/BUCKET/o?uploadType=media&name=OBJECT`): it
 * needs `storage.objects.create` on that one name and nothing else, where `gcloud storage cp` may
 * first look for a "directory" of that name (a list) when the destination does not exist yet.
 * Reading back and deleting name an existing object: `gcloud storage cat` and `rm`.
 */
export function gcsWriteCommands(
  bucketName: pulumi.Input<string>,
  prefix: string,
): { write: WriteCommands } {
  // The object's name, URL-encoded for a query parameter ('/' as %2F; prefixes hold no other
  // character that needs it: config.ts keyPrefixProblem).
  const name = `$(printf %s "\${key#gs://*/}" | sed 's#/#%2F#g')`;
  return {
    write: {
      prefixUrl: pulumi.interpolate`gs://${bucketName}/${prefix}`,
      put: pulumi.interpolate`curl -sSf -o /dev/null -X POST -H "Authorization: Bearer $(gcloud auth print-access-token)" -H "Content-Type: text/plain" --data-binary @- "https://storage.googleapis.com/upload/storage/v1/b/${bucketName}/o?uploadType=media&name=${name}"`,
      get: 'gcloud storage cat "$key"',
      remove: 'gcloud storage rm "$key"',
    },
  };
}
