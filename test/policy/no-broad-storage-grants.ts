import { describe, expect, test } from "vitest";
import {
  AZURE,
  GCP,
  noBroadStorageGrants,
  resourceMessages,
  type PolicyResource,
} from "../../policy/rules";
import {
  changed,
  firesOnEveryType,
  one,
  quietOnEveryStack,
  resourcesOf,
  synthetic,
  useStacks,
} from "../support/policy";

const check = (r: PolicyResource) => resourceMessages(noBroadStorageGrants, r);
const onWhole = (path: string, role: string, level: string) =>
  `${path} "${role}" is granted on the whole ${level}; grant it on the bucket with gcp:storage/bucketIAMMember`;
const READER_ROLE =
  "/subscriptions/sub/providers/Microsoft.Authorization/roleDefinitions/2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";
const CONTAINER_SCOPE =
  "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acc/blobServices/default/containers/c";

describe("no-broad-storage-grants", () => {
  useStacks();
  quietOnEveryStack(noBroadStorageGrants, {
    gke: [GCP.projectIamMember],
    "gke-s3": [GCP.projectIamMember],
    "gke-blob": [GCP.projectIamMember, AZURE.roleAssignment],
    aks: [AZURE.roleAssignment],
    "eks-blob": [AZURE.roleAssignment],
  });

  test.for(["gke", "gke-s3", "gke-blob"])(
    "fires when the %s stack's project grant becomes a storage role",
    (label) => {
      const grant = one(resourcesOf(label), GCP.projectIamMember);
      const storage = changed(grant, (p) => (p.role = "roles/storage.objectViewer"));
      expect(check(storage)).toEqual([
        `${grant.type} ${grant.name}: ${onWhole("role", "roles/storage.objectViewer", "project")}`,
      ]);
    },
  );

  test.for(["aks", "eks-blob", "gke-blob"])(
    "fires when the %s stack's role assignment moves up to the resource group",
    (label) => {
      const assignment = one(resourcesOf(label), AZURE.roleAssignment, "-binding-reader");
      const group = String(assignment.props.scope).split("/providers/")[0];
      expect(check(changed(assignment, (p) => (p.scope = group)))).toEqual([
        `${assignment.type} ${assignment.name}: scope is "${group}", above the storage account, for Storage Blob Data Reader; scope it to the container (BlobContainer.id) or the storage account`,
      ]);
    },
  );

  test("one message per binding, not per member; other roles are other rules' business", () => {
    const policy = synthetic(GCP.projectIamPolicy, "wi-gke-policy", {
      project: "my-project",
      policyData: JSON.stringify({
        bindings: [
          {
            role: "roles/logging.logWriter",
            members: ["serviceAccount:a@p.iam.gserviceaccount.com"],
          },
          { role: "roles/storage.admin", members: ["user:a@example.com", "user:b@example.com"] },
        ],
      }),
    });
    expect(check(policy)).toEqual([
      `gcp:projects/iAMPolicy:IAMPolicy wi-gke-policy: ${onWhole("policyData.bindings[1].role", "roles/storage.admin", "project")}`,
    ]);
  });

  test("the same storage role on the bucket is what the rule asks for", () => {
    const grant = { role: "roles/storage.objectViewer", member: "user:a@example.com" };
    expect(check(synthetic(GCP.bucketIamMember, "ok", { ...grant, bucket: "b" }))).toEqual([]);
  });

  test("Azure: container or account scope is fine, whatever its case; a non-data role is not this rule's", () => {
    const assignment = synthetic(AZURE.roleAssignment, "a", {
      roleDefinitionId: READER_ROLE.toUpperCase().replace(
        "/SUBSCRIPTIONS/SUB",
        "/subscriptions/sub",
      ),
      scope: "/subscriptions/sub/resourceGroups/rg",
    });
    expect(check(assignment)).toEqual([
      'azure-native:authorization:RoleAssignment a: scope is "/subscriptions/sub/resourceGroups/rg", above the storage account, for Storage Blob Data Reader; scope it to the container (BlobContainer.id) or the storage account',
    ]);
    expect(check(changed(assignment, (p) => (p.scope = CONTAINER_SCOPE)))).toEqual([]);
    expect(check(changed(assignment, (p) => (p.scope = CONTAINER_SCOPE.toLowerCase())))).toEqual(
      [],
    );
    const reader = changed(assignment, (p) => {
      p.roleDefinitionId =
        "/subscriptions/sub/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7";
    });
    expect(check(reader)).toEqual([]);
  });

  const member = (level: string) => ({
    props: { role: "roles/storage.objectAdmin", member: "user:a@example.com" },
    messages: [onWhole("role", "roles/storage.objectAdmin", level)],
  });
  const binding = (level: string) => ({
    props: { role: "roles/storage.admin", members: ["user:a@example.com", "user:b@example.com"] },
    messages: [onWhole("role", "roles/storage.admin", level)],
  });
  const policy = (level: string) => ({
    props: {
      policyData: JSON.stringify({
        bindings: [{ role: "roles/storage.objectViewer", members: ["user:a@example.com"] }],
      }),
    },
    messages: [onWhole("policyData.bindings[0].role", "roles/storage.objectViewer", level)],
  });
  firesOnEveryType(noBroadStorageGrants, {
    [GCP.projectIamMember]: member("project"),
    [GCP.projectIamBinding]: binding("project"),
    [GCP.projectIamPolicy]: policy("project"),
    [GCP.folderIamMember]: member("folder"),
    [GCP.folderIamBinding]: binding("folder"),
    [GCP.folderIamPolicy]: policy("folder"),
    [GCP.orgIamMember]: member("organization"),
    [GCP.orgIamBinding]: binding("organization"),
    [GCP.orgIamPolicy]: policy("organization"),
    [AZURE.roleAssignment]: {
      props: { roleDefinitionId: READER_ROLE, scope: "/subscriptions/sub" },
      messages: [
        'scope is "/subscriptions/sub", above the storage account, for Storage Blob Data Reader; scope it to the container (BlobContainer.id) or the storage account',
      ],
    },
  });
});
