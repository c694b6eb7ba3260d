import { GCP_GRANTS, show, type GcpIamType } from "../readers";
import { type Check, type ResourceRule } from "../rule";
import { AZURE, GCP } from "../tokens";

/** Azure built-in storage *data* roles (role definition GUIDs, Azure built-in roles page). */
export const AZURE_STORAGE_DATA_ROLES: Readonly<Record<string, string>> = {
  "b7e6dc6d-f1e8-4753-8033-0f276bb0955b": "Storage Blob Data Owner",
  "ba92f5b4-2d11-453d-a403-e96b0029c9fe": "Storage Blob Data Contributor",
  "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1": "Storage Blob Data Reader",
  "974c5e8b-45b9-4653-ba55-5f855dd0fb88": "Storage Queue Data Contributor",
  "19e7f393-937e-4f77-808e-94535e297925": "Storage Queue Data Reader",
  "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3": "Storage Table Data Contributor",
};
const STORAGE_ACCOUNT_SCOPE = "/providers/microsoft.storage/storageaccounts/";

/** Grants of `roles/storage.*` on a project, folder or organization (`level`). */
const aboveBucket =
  (type: GcpIamType, level: string): Check =>
  (p, report) => {
    const grants = GCP_GRANTS[type](p);
    if (typeof grants === "string") return report(grants);
    const seen = new Set<string>();
    for (const g of grants) {
      if (typeof g.role !== "string" || !g.role.startsWith("roles/storage.")) continue;
      if (seen.has(g.rolePath)) continue;
      seen.add(g.rolePath);
      report(
        `${g.rolePath} ${show(g.role)} is granted on the whole ${level}; grant it on the bucket with gcp:storage/bucketIAMMember`,
      );
    }
  };

const roleAssignment: Check = (p, report) => {
  const roleId = p.roleDefinitionId;
  const guid = typeof roleId === "string" ? roleId.split("/").at(-1)?.toLowerCase() : undefined;
  const role = guid === undefined ? undefined : AZURE_STORAGE_DATA_ROLES[guid];
  const scope = p.scope;
  if (
    role !== undefined &&
    !(typeof scope === "string" && scope.toLowerCase().includes(STORAGE_ACCOUNT_SCOPE))
  ) {
    report(
      `scope is ${show(scope)}, above the storage account, for ${role}; scope it to the container (BlobContainer.id) or the storage account`,
    );
  }
};

export const noBroadStorageGrants: ResourceRule = {
  kind: "resource",
  name: "no-broad-storage-grants",
  description:
    "Storage access is granted on the bucket: no roles/storage.* on a GCP project, folder or organization; no Azure storage data role above the storage account.",
  enforcementLevel: "mandatory",
  mirrors: {
    cis: [],
    checkov: [],
    note: "No direct equivalent in CIS or Checkov; nearest CKV_GCP_117 (basic roles at project level) for GCP and CKV_AZURE_39 (no custom subscription owner roles) for Azure.",
  },
  checks: {
    [GCP.projectIamMember]: aboveBucket(GCP.projectIamMember, "project"),
    [GCP.projectIamBinding]: aboveBucket(GCP.projectIamBinding, "project"),
    [GCP.projectIamPolicy]: aboveBucket(GCP.projectIamPolicy, "project"),
    [GCP.folderIamMember]: aboveBucket(GCP.folderIamMember, "folder"),
    [GCP.folderIamBinding]: aboveBucket(GCP.folderIamBinding, "folder"),
    [GCP.folderIamPolicy]: aboveBucket(GCP.folderIamPolicy, "folder"),
    [GCP.orgIamMember]: aboveBucket(GCP.orgIamMember, "organization"),
    [GCP.orgIamBinding]: aboveBucket(GCP.orgIamBinding, "organization"),
    [GCP.orgIamPolicy]: aboveBucket(GCP.orgIamPolicy, "organization"),
    [AZURE.roleAssignment]: roleAssignment,
  },
};
