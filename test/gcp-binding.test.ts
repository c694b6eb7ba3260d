/**
 * The gke stack (GKE Workload Identity Federation → Cloud Storage) under mocks, its second half:
 * the binding, the demo workload, the outputs, and config flowing through (test/gcp.test.ts holds
 * the stack file, the components, the cluster, the agent and the bucket; both read one
 * evaluation).
 *
 * What this cannot prove: that Google accepts these inputs (no provider runs under mocks), that GKE
 * deploys its metadata server and serves the pool as the pod's account, that a `principal://`
 * member on the bucket authorizes the federated token, or how long IAM takes to propagate. The
 * verification Job proves those on a real `pulumi up`. Nor can mocks show that the pool exists only
 * once the cluster does (terraform-google-kubernetes-engine#916): what is proven is that the grant
 * takes the pool from the cluster's output and so waits for it.
 */
import type * as pulumi from "@pulumi/pulumi";
import { expectRestrictedPod } from "./support/expect";
import { describe, expect, test } from "vitest";
import { GCP_PROJECT_NUMBER } from "../offline/clouds/gcp";
import { isSecret, settle, valueOf } from "../offline/mocks";
import { GCLOUD_IMAGE, METADATA_EMAIL_URL } from "../src/gcp";
import {
  BUCKET,
  CLUSTER_NAME,
  evaluateGke,
  evaluateGkeFile,
  metadataServerRead,
  NODE_EMAIL,
  podTemplates,
  POOL,
  PRINCIPAL,
  PROJECT,
  rec,
  REGION,
  run,
  stackFile,
  T,
  useGke,
  without,
} from "./support/gke";

useGke();

describe("IdentityBinding", () => {
  test("objectViewer on the bucket, to exactly the demo/demo principal: project NUMBER, then pool ID", () => {
    const grant = rec.one(T.bucketMember);
    expect(grant.inputs).toEqual({
      bucket: BUCKET,
      role: "roles/storage.objectViewer",
      member: PRINCIPAL,
    });
    expect(PROJECT).not.toBe(GCP_PROJECT_NUMBER);
    expect(grant.dependencies).toContain(rec.one(T.bucket).urn);
  });

  test("the pool comes from the cluster's output, so the grant waits for the cluster (#916)", () => {
    const grant = rec.one(T.bucketMember);
    const cluster = rec.one(T.cluster);
    // A data dependency: the member is built from `workloadIdentityConfig.workloadPool`.
    expect(grant.dependencies).toContain(cluster.urn);
    const [, pool] = /\/workloadIdentityPools\/([^/]+)\/subject\//.exec(grant.inputs.member)!;
    expect(pool).toBe(cluster.inputs.workloadIdentityConfig.workloadPool);
    // The Job's expected identity is that same output.
    const job = rec.one(T.job, "-verify");
    expect(rec.dependsOn(job, cluster)).toBe(true);
  });

  test("the number is read off the bucket: no lookup, so no Cloud Resource Manager API at preview", async () => {
    expect(rec.invokes).toEqual([]);
    const grant = rec.one(T.bucketMember);
    expect(grant.dependencies).toContain(rec.one(T.bucket).urn);
    expect(grant.inputs.member).toMatch(
      new RegExp(`^principal://iam\\.googleapis\\.com/projects/${GCP_PROJECT_NUMBER}/`),
    );
    expect(await valueOf(run.outputs.principal as pulumi.Output<string>)).toBe(PRINCIPAL);
  });

  test("the principal names exactly the namespace/ServiceAccount the pods run as", () => {
    const sa = rec.one(T.sa, "-sa");
    const [, ns, name] = /\/subject\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(
      rec.one(T.bucketMember).inputs.member,
    )!;
    expect(sa.inputs.metadata).toMatchObject({ name, namespace: ns });
    for (const t of podTemplates()) expect(t.spec.serviceAccountName).toBe(name);
    for (const r of [rec.one(T.deployment), rec.one(T.job, "-verify")]) {
      expect(r.inputs.metadata.namespace).toBe(ns);
    }
  });

  test("the direct route: no Google service account to impersonate, no annotation", () => {
    expect(rec.one(T.sa, "-sa").inputs.metadata.annotations ?? {}).toEqual({});
    expect(rec.ofType(T.account).map((a) => a.name)).toEqual(["wi-gke-cluster-nodes"]);
  });
});

describe("DemoWorkload", () => {
  test("the ServiceAccount and both pods are created after the grant, the node pool and the metadata server", () => {
    const grant = rec.one(T.bucketMember);
    const pool = rec.one(T.nodePool);
    const read = metadataServerRead();
    for (const r of [rec.one(T.sa, "-sa"), rec.one(T.deployment), rec.one(T.job, "-verify")]) {
      expect(rec.dependsOn(r, grant), `${r.name} → grant`).toBe(true);
      expect(rec.dependsOn(r, read), `${r.name} → metadata server`).toBe(true);
      expect(rec.dependsOn(r, pool), `${r.name} → node pool`).toBe(true);
    }
  });

  test.each([0, 1])("pod %i meets Pod Security restricted and uses no host network", (i) => {
    const spec = podTemplates()[i].spec;
    expectRestrictedPod(spec);
    // The GKE metadata server does not serve host-network pods.
    expect(spec.hostNetwork).toBeUndefined();
    const [c] = spec.containers;
    expect(spec.volumes.some((v: any) => v.hostPath)).toBe(false);
    // gcloud writes its configuration under a writable emptyDir, not the read-only root.
    expect(c.env).toContainEqual({ name: "HOME", value: "/tmp" });
    expect(c.env).toContainEqual({ name: "CLOUDSDK_CONFIG", value: "/tmp/gcloud" });
    expect(c.volumeMounts).toContainEqual({ name: "tmp", mountPath: "/tmp" });
  });

  test("the Google Cloud CLI image is pinned to a version, the slim variant", () => {
    for (const t of podTemplates()) {
      expect(t.spec.containers[0].image).toBe(GCLOUD_IMAGE);
    }
    expect(GCLOUD_IMAGE).toMatch(
      /^gcr\.io\/google\.com\/cloudsdktool\/google-cloud-cli:\d+\.\d+\.\d+-slim$/,
    );
  });

  test("the Job asks the metadata server who it is, insists on the pool, and reads gs://<bucket>/hello.txt", () => {
    const spec = rec.one(T.job, "-verify").inputs.spec.template.spec;
    expect(spec.restartPolicy).toBe("Never");
    const [sh, flag, script] = spec.containers[0].command;
    expect([sh, flag]).toEqual(["/bin/sh", "-c"]);
    expect(script).toContain(
      `curl -sSf --max-time 5 -H 'Metadata-Flavor: Google' ${METADATA_EMAIL_URL}`,
    );
    expect(METADATA_EMAIL_URL).toBe(
      "http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/email",
    );
    expect(script).toContain(`gcloud storage cat gs://${BUCKET}/hello.txt`);
    expect(script).toContain('[ "$content" = "Hello, World!" ]');
    // Long enough for IAM's slow tail (up to 7 minutes and more), and Pulumi waits as long.
    expect(script).toContain('while [ "$attempt" -le 48 ]; do');
    expect(rec.one(T.job, "-verify").inputs.spec.activeDeadlineSeconds).toBeGreaterThan(7 * 60 * 2);
    const expected = spec.containers[0].env.find((e: any) => e.name === "EXPECTED_IDENTITY").value;
    expect(expected).toBe(POOL);
    // A node's own account (what a GCE_METADATA node would hand the pod) cannot pass.
    expect(NODE_EMAIL.includes(expected)).toBe(false);
    expect(`${GCP_PROJECT_NUMBER}-compute@developer.gserviceaccount.com`.includes(expected)).toBe(
      false,
    );
  });

  test("no static credentials anywhere in the pods", () => {
    for (const t of podTemplates()) {
      const names = t.spec.containers[0].env.map((e: any) => e.name);
      expect(names).not.toContain("GOOGLE_APPLICATION_CREDENTIALS");
      expect(JSON.stringify(t)).not.toMatch(/private_key|service_account"/);
    }
  });
});

describe("stack outputs", () => {
  test("name the bucket, the object, the principal, and how to verify", async () => {
    const o = run.outputs;
    expect(o.cluster).toBe("gke");
    expect(o.storage).toBe("gcs");
    expect(await valueOf(o.bucketName)).toBe(BUCKET);
    expect(await valueOf(o.objectUrl)).toBe(`gs://${BUCKET}/hello.txt`);
    expect(await valueOf(o.principal as pulumi.Output<string>)).toBe(PRINCIPAL);
    expect(await valueOf(o.verifyCommand)).toBe(
      `kubectl -n demo exec deploy/wi-gke-demo-shell-a1b2c3d -- gcloud storage cat gs://${BUCKET}/hello.txt`,
    );
    expect(await isSecret(o.bucketName)).toBe(false);
  });
});

describe("configuration flows through", () => {
  test("without a zone the cluster is regional, and the issuer names the region", async () => {
    const r = await evaluateGke(without(stackFile, "gcp:zone"));
    expect(rec.one(T.cluster).inputs.location).toBe(REGION);
    expect(rec.one(T.nodePool).inputs.location).toBe(REGION);
    expect(await valueOf(r.outputs.oidcIssuerUrl)).toBe(
      `https://container.googleapis.com/v1/projects/${PROJECT}/locations/${REGION}/clusters/${CLUSTER_NAME}`,
    );
    await evaluateGkeFile();
  });

  test("another project, namespace and ServiceAccount change the pool, the principal and the pods together", async () => {
    await evaluateGke({
      ...stackFile,
      "gcp:project": "other-project-42",
      "workload-identity:namespace": "team-a",
      "workload-identity:serviceAccount": "reader",
    });
    expect(rec.one(T.cluster).inputs.workloadIdentityConfig.workloadPool).toBe(
      "other-project-42.svc.id.goog",
    );
    expect(rec.invokes).toEqual([]);
    expect(rec.one(T.bucketMember).inputs.member).toBe(
      `principal://iam.googleapis.com/projects/${GCP_PROJECT_NUMBER}/locations/global/workloadIdentityPools/other-project-42.svc.id.goog/subject/ns/team-a/sa/reader`,
    );
    expect(rec.one(T.sa, "-sa").inputs.metadata).toMatchObject({
      name: "reader",
      namespace: "team-a",
    });
    for (const t of podTemplates()) expect(t.spec.serviceAccountName).toBe("reader");
    const env = rec.one(T.job, "-verify").inputs.spec.template.spec.containers[0].env;
    expect(env).toContainEqual({
      name: "EXPECTED_IDENTITY",
      value: "other-project-42.svc.id.goog",
    });
    await evaluateGkeFile();
  });

  test("apiAllowedCidrs narrows the API endpoint to exactly those networks, Google Cloud's VMs shut out", async () => {
    await evaluateGke({
      ...stackFile,
      "workload-identity:apiAllowedCidrs": JSON.stringify(["203.0.113.0/24", "198.51.100.7/32"]),
    });
    expect(rec.one(T.cluster).inputs.masterAuthorizedNetworksConfig).toEqual({
      cidrBlocks: [
        { cidrBlock: "203.0.113.0/24", displayName: "apiAllowedCidrs[0]" },
        { cidrBlock: "198.51.100.7/32", displayName: "apiAllowedCidrs[1]" },
      ],
      gcpPublicCidrsAccessEnabled: false,
    });
    await evaluateGkeFile();
  });

  test("a missing project stops the program before any resource is registered", async () => {
    await expect(evaluateGke(without(stackFile, "gcp:project"))).rejects.toThrow(
      "config `gcp:project`: required when `cluster` is gke",
    );
    expect(rec.resources).toEqual([]);
    await evaluateGkeFile();
  });

  test("a stack whose name would put 'google' in the bucket name is refused, naming the fix", async () => {
    await expect(evaluateGke(stackFile, "google-demo")).rejects.toThrow(
      'namePrefix: "wi-google-demo" would put "goog"/"google" in a bucket name, which Cloud Storage refuses; rename the stack',
    );
    expect(rec.ofType(T.bucket)).toEqual([]);
    // Let what the cluster side had started finish on this stack's mocks before switching.
    await settle();
    await evaluateGkeFile();
  });
});
