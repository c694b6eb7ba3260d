/**
 * Each mechanism's denial script, built from the real clients and refusal patterns, run in a real
 * /bin/sh against a fake CLI that prints what the real one prints: only the cloud's explicit
 * refusal of the unbound ServiceAccount passes; errors about tokens, DNS, configuration or a
 * disabled API are inconclusive and fail the denial Job.
 *
 * What this cannot prove: the exact text the real services return. The patterns follow the
 * sources cited next to them in src/aws/client.ts, src/gcp/client.ts and src/azure/client.ts; only
 * a real `pulumi up` shows the live message (it is printed in the denial Job's log).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { installMocks, valueOf } from "../offline/mocks";
import { POD_IDENTITY_REFUSAL, s3Client, STS_WEB_IDENTITY_REFUSAL } from "../src/aws";
import { blobClient, ENTRA_FEDERATION_REFUSAL } from "../src/azure";
import type { StorageClient } from "../src/core";
import { gcsClient } from "../src/gcp";
import { denialScript } from "../src/k8s";

installMocks();
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "deny-"));
  fs.writeFileSync(path.join(dir, "sleep"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
});

/** Runs the denial with a fake `cli` that prints `message` to stderr and fails (or reads, on null). */
async function deny(
  client: StorageClient,
  refusal: string,
  message: string | null,
): Promise<{ status: number; out: string }> {
  fs.writeFileSync(path.join(dir, "message"), message ?? "");
  fs.writeFileSync(
    path.join(dir, client.cli),
    message === null
      ? `#!/bin/sh\nprintf 'Hello, World!\\n' | tee "${dir}/hello.txt"\n`
      : `#!/bin/sh\ncat "${dir}/message" >&2\nexit 1\n`,
    { mode: 0o755 },
  );
  // The Blob read downloads to /tmp/hello.txt; here, into this test's directory.
  const script = (await valueOf(denialScript(client, { attempts: 2, refusal }))).replaceAll(
    "/tmp/hello.txt",
    path.join(dir, "hello.txt"),
  );
  try {
    const out = execFileSync("/bin/sh", ["-c", script], {
      env: { PATH: `${dir}:/usr/bin:/bin`, HOME: dir },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    return { status: 0, out };
  } catch (e: any) {
    return { status: e.status as number, out: `${e.stdout}${e.stderr}` };
  }
}

const s3 = s3Client({ objectUrl: "s3://b/hello.txt", region: "eu-north-1", roleName: "r" });
const gcs = gcsClient({ objectUrl: "gs://b/hello.txt", workloadPool: "p.svc.id.goog" });
const blob = blobClient({
  accountName: "a",
  containerName: "c",
  blobName: "hello.txt",
  clientId: "x",
});

const DENIED: [string, StorageClient, string, string][] = [
  [
    "Pod Identity: EKS Auth finds no association (relayed by the agent)",
    s3,
    POD_IDENTITY_REFUSAL,
    "Error when retrieving credentials from container-role: Error retrieving metadata: Received non 200 response (400) from container metadata: [9f0c]: (ResourceNotFoundException): No association for this service account, fault: client",
  ],
  [
    "Pod Identity: EKS Auth refuses the role's trust",
    s3,
    POD_IDENTITY_REFUSAL,
    "Received non 200 response (400) from container metadata: [9f0c]: (AccessDeniedException): Unauthorized, fault: client",
  ],
  [
    "web identity: STS refuses the token's subject",
    s3,
    STS_WEB_IDENTITY_REFUSAL,
    "An error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation: Not authorized to perform sts:AssumeRoleWithWebIdentity",
  ],
  [
    "S3 refuses the HEAD",
    s3,
    "",
    "fatal error: An error occurred (403) when calling the HeadObject operation: Forbidden",
  ],
  [
    "GCS refuses the principal",
    gcs,
    "",
    "ERROR: (gcloud.storage.cat) HTTPError 403: principal://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/subject/system:serviceaccount:demo:demo-unbound does not have storage.objects.get access to the Google Cloud Storage object. Permission 'storage.objects.get' denied on resource (or it may not exist).",
  ],
  [
    "Entra finds no federated credential for the subject",
    blob,
    ENTRA_FEDERATION_REFUSAL,
    "AADSTS700213: No matching federated identity record found for presented assertion subject 'system:serviceaccount:demo:demo-unbound'.",
  ],
  [
    "Blob storage refuses the data action",
    blob,
    ENTRA_FEDERATION_REFUSAL,
    "ErrorCode:AuthorizationPermissionMismatch\nThis request is not authorized to perform this operation using this permission.",
  ],
];

const INCONCLUSIVE: [string, StorageClient, string, string][] = [
  [
    "Pod Identity: the token itself is rejected",
    s3,
    POD_IDENTITY_REFUSAL,
    "Received non 200 response (400) from container metadata: [1]: (InvalidTokenException): bad token, fault: client",
  ],
  [
    "Pod Identity: the agent is unreachable",
    s3,
    POD_IDENTITY_REFUSAL,
    'Error when retrieving credentials from container-role: Error retrieving metadata: Could not connect to the endpoint URL: "http://169.254.170.23/v1/credentials"',
  ],
  [
    "web identity: no OIDC provider for the issuer",
    s3,
    STS_WEB_IDENTITY_REFUSAL,
    "An error occurred (InvalidIdentityToken) when calling the AssumeRoleWithWebIdentity operation: No OpenIDConnect provider found in your account",
  ],
  ["no credentials at all", s3, STS_WEB_IDENTITY_REFUSAL, "Unable to locate credentials"],
  [
    "a DNS failure",
    s3,
    "",
    'Could not connect to the endpoint URL: "https://b.s3.eu-north-1.amazonaws.com/hello.txt"',
  ],
  [
    "GCS: the API is disabled (a 403 that says nothing of the identity)",
    gcs,
    "",
    "ERROR: (gcloud.storage.cat) HTTPError 403: Cloud Storage API has not been used in project 1 before or it is disabled.",
  ],
  [
    "GCS: the STS exchange fails",
    gcs,
    "",
    "ERROR: (gcloud.auth.login) ('Error code invalid_grant: The audience in ID Token does not match the expected audience.')",
  ],
  [
    "Entra: the application is unknown",
    blob,
    ENTRA_FEDERATION_REFUSAL,
    "AADSTS700016: Application with identifier 'x' was not found in the directory",
  ],
  [
    "Blob: network rules refuse the request",
    blob,
    ENTRA_FEDERATION_REFUSAL,
    "ErrorCode:AuthorizationFailure\nThis request is not authorized to perform this operation.",
  ],
];

describe("what counts as the cloud refusing the unbound ServiceAccount", () => {
  test.each(DENIED)("%s: denied", async (_, client, refusal, message) => {
    const r = await deny(client, refusal, message);
    expect(r.out).toContain("denied, as it must be");
    expect(r.status).toBe(0);
  });

  test.each(INCONCLUSIVE)(
    "%s: inconclusive, the Job fails",
    async (_, client, refusal, message) => {
      const r = await deny(client, refusal, message);
      expect(r.status).toBe(1);
      expect(r.out).toContain("FAILED: inconclusive");
      expect(r.out).toContain(message.split("\n")[0]);
    },
  );

  test.each([
    ["S3", s3],
    ["GCS", gcs],
    ["Blob", blob],
  ] as const)("%s: a successful read fails the denial", async (_, client) => {
    const r = await deny(client, "", null);
    expect(r.status).toBe(1);
    expect(r.out).toContain("FAILED: an unbound ServiceAccount read hello.txt");
  });
});
