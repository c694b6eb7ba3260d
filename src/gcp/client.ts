import * as pulumi from "@pulumi/pulumi";
import type { PodEnvVar, StorageClient } from "../contracts";

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
  const env: PodEnvVar[] = [
    // gcloud writes its configuration and logs; the root filesystem is read-only.
    { name: "CLOUDSDK_CONFIG", value: "/tmp/gcloud" },
    { name: "CLOUDSDK_CORE_DISABLE_PROMPTS", value: "1" },
  ];
  return {
    image: GCLOUD_IMAGE,
    cli: "gcloud",
    refusal: GCS_REFUSAL,
    env,
    whoami: `curl -sSf --max-time 5 -H 'Metadata-Flavor: Google' ${METADATA_EMAIL_URL}`,
    expectedIdentity: args.workloadPool,
    read: pulumi.interpolate`gcloud storage cat ${args.objectUrl}`,
    attempts: GCS_VERIFY_ATTEMPTS,
  };
}
