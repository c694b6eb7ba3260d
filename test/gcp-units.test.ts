/**
 * The Google Cloud pieces on their own: the checks that stop a bad name or argument before Google
 * refuses it halfway through an update, the label rules, and the principal's exact shape.
 */
import * as k8s from "@pulumi/kubernetes";
import { describe, expect, test } from "vitest";
import { installMocks, settle, valueOf } from "../offline/mocks";
import { GkeMetadataServer } from "../src/gcp/agent";
import { bucketNamePrefixProblem, GcsBucketWithPolicy } from "../src/gcp/bucket";
import { GkeWorkloadIdentityBinding, gkePrincipal } from "../src/gcp/binding";
import { GkeCluster } from "../src/gcp/cluster";
import { gcpLabels } from "../src/gcp/labels";
import { baseTags } from "../src/tags";
import { namePrefix } from "../src/config";

installMocks();
const tags = baseTags("dev");

describe("bucket names", () => {
  test("the longest prefix the config can make still fits", () => {
    const longest = namePrefix("a".repeat(100));
    expect(longest.length).toBe(19);
    expect(bucketNamePrefixProblem(longest)).toBeUndefined();
  });

  test.each([
    [
      "a".repeat(51),
      `namePrefix: "${"a".repeat(51)}" is too long; with its random suffix the bucket name would have 64 characters, at most 63 are allowed`,
    ],
    [
      "wi-google",
      'namePrefix: "wi-google" would put "goog"/"google" in a bucket name, which Cloud Storage refuses; rename the stack',
    ],
    [
      "wi-g00gle",
      'namePrefix: "wi-g00gle" would put "goog"/"google" in a bucket name, which Cloud Storage refuses; rename the stack',
    ],
    [
      "goog-x",
      'namePrefix: "goog-x" would put "goog"/"google" in a bucket name, which Cloud Storage refuses; rename the stack',
    ],
    [
      "Wi_Dev",
      "namePrefix: \"Wi_Dev\" must be lowercase letters, digits and '-', starting with a letter or digit",
    ],
  ])("refuses %j", (prefix, message) => {
    expect(bucketNamePrefixProblem(prefix)).toBe(message);
  });

  test("50 characters is the limit (50 + '-' + 12 hex = 63)", () => {
    expect(bucketNamePrefixProblem("a".repeat(50))).toBeUndefined();
  });

  test("the component refuses a bad prefix before creating anything", () => {
    expect(
      () =>
        new GcsBucketWithPolicy("b", {
          project: "demo-project-1",
          location: "europe-north1",
          namePrefix: "wi-google",
          tags,
        }),
    ).toThrow('namePrefix: "wi-google" would put "goog"/"google" in a bucket name');
  });
});

describe("labels", () => {
  test("lowercase, and only letters, digits, '_' and '-'", () => {
    expect(
      gcpLabels({ project: "workload-identity", stack: "Team_A.Prod", "managed-by": "pulumi" }),
    ).toEqual({
      project: "workload-identity",
      stack: "team_a-prod",
      "managed-by": "pulumi",
    });
  });

  test("values are cut at 63 characters", () => {
    expect(gcpLabels({ stack: "x".repeat(80) }).stack).toHaveLength(63);
  });

  test("a key that cannot be a label key is refused, not silently renamed", () => {
    expect(() => gcpLabels({ "1st": "a" })).toThrow(
      'label key "1st": Google Cloud label keys must start with a lowercase letter',
    );
  });
});

describe("the principal", () => {
  test("number in the project path, ID in the pool name, then ns and sa", async () => {
    expect(
      await valueOf(
        gkePrincipal({
          projectNumber: "111122223333",
          workloadPool: "my-project.svc.id.goog",
          namespace: "ns1",
          serviceAccount: "sa1",
        }),
      ),
    ).toBe(
      "principal://iam.googleapis.com/projects/111122223333/locations/global/workloadIdentityPools/my-project.svc.id.goog/subject/ns/ns1/sa/sa1",
    );
  });
});

describe("argument checks", () => {
  const cluster = (over: Partial<ConstructorParameters<typeof GkeCluster>[1]> = {}, name = "c") =>
    new GkeCluster(name, {
      project: "demo-project-1",
      location: "europe-north1-a",
      nodeServiceAccountId: "wi-dev-nodes",
      tags,
      ...over,
    });

  test.each([
    [
      { nodeServiceAccountId: "nodes" },
      "nodeServiceAccountId: \"nodes\" is not a service account ID; use 6–30 lowercase letters, digits and '-', starting with a letter",
    ],
    [
      { nodeServiceAccountId: "wi-a-very-long-stack-name-nodes" },
      'nodeServiceAccountId: "wi-a-very-long-stack-name-nodes" is not a service account ID',
    ],
    [{ nodeCount: 0 }, "nodeCount: expected a whole number ≥ 1, got 0"],
  ])("the cluster refuses %j", (over, message) => {
    expect(() => cluster(over)).toThrow(message);
  });

  test("the cluster refuses a name GKE would refuse once Pulumi adds its suffix", () => {
    expect(() => cluster({}, "wi-a-very-long-stack-name-cluster")).toThrow(
      'name: "wi-a-very-long-stack-name-cluster" is too long; GKE names are at most 40 characters',
    );
  });

  test("the longest prefix the config can make fits GKE's 40 characters, with the suffix", async () => {
    const prefix = namePrefix("a".repeat(100));
    expect(() =>
      cluster({ nodeServiceAccountId: `${prefix}-nodes` }, `${prefix}-cluster`),
    ).not.toThrow();
    await settle();
  });

  test("the agent needs a node pool to wait for", () => {
    const provider = new k8s.Provider("p", { kubeconfig: "{}" });
    expect(() => new GkeMetadataServer("a", { provider, nodePools: [] })).toThrow(
      "nodePools: expected at least one node pool for the metadata server to run on, got none",
    );
  });

  test("the binding takes a role name", () => {
    expect(
      () =>
        new GkeWorkloadIdentityBinding("b", {
          workloadPool: "demo-project-1.svc.id.goog",
          poolProjectNumber: "111122223333",
          identity: { namespace: "demo", serviceAccount: "demo" },
          bucketName: "bucket",
          role: "storage.objectViewer",
          objectUrl: "gs://bucket/hello.txt",
        }),
    ).toThrow(
      'role: expected a role name such as roles/storage.objectViewer, got "storage.objectViewer"',
    );
  });
});
