/**
 * The Azure components on their own, beyond the one ServiceAccount the aks stack binds: federated
 * credentials chained one after another, the 20-credential limit and duplicates refused before
 * any child exists, credential and account naming, and the rules as pure functions.
 */
import { describe, expect, test } from "vitest";
import { AKS_ISSUER } from "../offline/clouds/azure";
import { installMocks, settle, valueOf } from "../offline/mocks";
import { lenientWebhookWarning } from "../src/azure";
import { IdentityBinding } from "../src/azure";
import { accountNameBase, BucketWithPolicy, roleDefinitionId } from "../src/azure";
import {
  federatedCredentialName,
  serviceAccountsProblems,
  MAX_FEDERATED_CREDENTIALS,
} from "../src/azure";
import { serviceAccountSubject, type WorkloadIdentity } from "../src/core";

const rec = installMocks("aks");
const FIC = "azure-native:managedidentity:FederatedIdentityCredential";

const accounts = (n: number): WorkloadIdentity[] =>
  Array.from({ length: n }, (_, i) => ({ namespace: `team-${i}`, serviceAccount: "reader" }));

function bind(name: string, serviceAccounts: readonly WorkloadIdentity[]) {
  return new IdentityBinding(name, {
    issuerUrl: AKS_ISSUER,
    serviceAccounts,
    resourceGroupName: "rg",
    location: "swedencentral",
    roleDefinitionId: roleDefinitionId("sub", "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"),
    scope:
      "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a/blobServices/default/containers/c",
    tags: {},
  });
}

/** The message a constructor throws, after every registration it started has been answered. */
async function refusal(build: () => unknown): Promise<string> {
  let message: string | undefined;
  try {
    build();
  } catch (e) {
    message = (e as Error).message;
  }
  await settle();
  if (message === undefined) throw new Error("expected the constructor to throw");
  return message;
}

describe("IdentityBinding with several ServiceAccounts", () => {
  test("one credential each, written one after another, pods waiting for the last", async () => {
    rec.clear();
    const binding = bind("multi", accounts(3));
    await settle();
    const fics = rec.ofType(FIC);
    expect(fics.map((f) => f.inputs.subject)).toEqual([
      "system:serviceaccount:team-0:reader",
      "system:serviceaccount:team-1:reader",
      "system:serviceaccount:team-2:reader",
    ]);
    for (const f of fics) {
      expect(f.inputs.issuer).toBe(AKS_ISSUER);
      expect(f.inputs.audiences).toEqual(["api://AzureADTokenExchange"]);
    }
    // Each waits for the one before; the first for no other credential.
    expect(fics[0].dependencies.filter((d) => fics.some((f) => f.urn === d))).toEqual([]);
    expect(fics[1].dependencies).toContain(fics[0].urn);
    expect(fics[2].dependencies).toContain(fics[1].urn);
    const access = binding.accessFor({ namespace: "team-2", serviceAccount: "reader" });
    expect(access.identity).toEqual({ namespace: "team-2", serviceAccount: "reader" });
    const ready = await Promise.all(access.readyAfter.map((r) => valueOf(r.urn)));
    expect(ready).toEqual([fics[2].urn, rec.one("azure-native:authorization:RoleAssignment").urn]);
    // One identity, one role assignment, whatever the number of ServiceAccounts.
    expect(rec.ofType("azure-native:managedidentity:UserAssignedIdentity")).toHaveLength(1);
  });

  test("20 credentials are accepted, as a single chain", async () => {
    rec.clear();
    bind("twenty", accounts(MAX_FEDERATED_CREDENTIALS));
    await settle();
    const fics = rec.ofType(FIC);
    expect(fics).toHaveLength(20);
    for (let i = 1; i < fics.length; i++) expect(fics[i].dependencies).toContain(fics[i - 1].urn);
  });

  test("a 21st is refused before any Azure resource is registered", async () => {
    rec.clear();
    expect(await refusal(() => bind("too-many", accounts(21)))).toBe(
      "serviceAccounts: a managed identity takes at most 20 federated identity credentials, got 21; split the ServiceAccounts across several IdentityBindings",
    );
    // Only the component's own (empty) node: no identity, no credential, no role.
    expect(rec.resources.map((r) => `${r.type} ${r.name}`)).toEqual([
      "workload-identity:azure:IdentityBinding too-many",
    ]);
  });

  test("the same ServiceAccount twice is refused before any Azure resource is registered", async () => {
    rec.clear();
    const twice = [...accounts(2), { namespace: "team-0", serviceAccount: "reader" }];
    expect(await refusal(() => bind("twice", twice))).toBe(
      'serviceAccounts: "system:serviceaccount:team-0:reader" is listed twice; each ServiceAccount gets exactly one federated identity credential',
    );
    expect(rec.resources.filter((r) => r.custom)).toEqual([]);
  });

  test("no ServiceAccount at all is refused", async () => {
    rec.clear();
    expect(await refusal(() => bind("none", []))).toBe(
      "serviceAccounts: expected at least one namespace/ServiceAccount, got none",
    );
    expect(rec.resources.filter((r) => r.custom)).toEqual([]);
  });
});

describe("federation rules", () => {
  test("the subject is the ServiceAccount token's sub claim", () => {
    expect(serviceAccountSubject({ namespace: "demo", serviceAccount: "demo" })).toBe(
      "system:serviceaccount:demo:demo",
    );
  });

  test("names Kubernetes would not allow are refused (a stray ':' would never match a token)", () => {
    expect(serviceAccountsProblems([{ namespace: "a:b", serviceAccount: "c" }])[0]).toContain(
      'serviceAccounts: "a:b/c" is not a Kubernetes namespace/ServiceAccount',
    );
    expect(serviceAccountsProblems([{ namespace: "demo", serviceAccount: "*" }])[0]).toContain(
      'serviceAccounts: "demo/*" is not a Kubernetes namespace/ServiceAccount',
    );
  });

  test("credential names are valid for Entra and distinct for distinct ServiceAccounts", () => {
    const valid = /^[a-zA-Z0-9][a-zA-Z0-9_-]{2,119}$/;
    const pairs: WorkloadIdentity[] = [
      { namespace: "a-b", serviceAccount: "c" },
      { namespace: "a", serviceAccount: "b-c" },
      { namespace: "a", serviceAccount: "b.c" },
      { namespace: "a", serviceAccount: "b-c.d" },
      { namespace: "x".repeat(63), serviceAccount: "y".repeat(253) },
      { namespace: "x".repeat(63), serviceAccount: `${"y".repeat(252)}z` },
    ];
    const names = pairs.map(federatedCredentialName);
    for (const n of names) expect(n).toMatch(valid);
    expect(new Set(names).size).toBe(names.length);
    expect(names.slice(0, 3)).toEqual(["a-b_c", "a_b-c", "a_b_c"]);
  });

  test("the role definition ID is the subscription's full ID of the role", async () => {
    expect(await valueOf(roleDefinitionId("sub-1", "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"))).toBe(
      "/subscriptions/sub-1/providers/Microsoft.Authorization/roleDefinitions/2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
    );
  });
});

describe("storage account names", () => {
  test("the stack prefix without dashes, leaving room for the 6-character suffix", () => {
    expect(accountNameBase("wi-aks")).toBe("wiaks");
    expect(accountNameBase("wi-a-very-long-stac")).toBe("wiaverylongstac");
    expect(accountNameBase("a".repeat(18))).toBe("a".repeat(18));
  });

  test.each([
    [
      "a".repeat(19),
      `accountNamePrefix: "${"a".repeat(19)}" leaves 19 letters and digits; a storage account name is 3–24 lowercase letters and digits and ends in 6 random ones, so give 1–18`,
    ],
    [
      "--",
      'accountNamePrefix: "--" leaves 0 letters and digits; a storage account name is 3–24 lowercase letters and digits and ends in 6 random ones, so give 1–18',
    ],
  ])("%j is refused before anything is registered", async (prefix, message) => {
    rec.clear();
    expect(
      await refusal(
        () =>
          new BucketWithPolicy("bad", {
            location: "swedencentral",
            accountNamePrefix: prefix,
            tags: {},
          }),
      ),
    ).toBe(message);
    expect(rec.resources.filter((r) => r.custom)).toEqual([]);
  });
});

describe("IdentityAgent", () => {
  const name = "azure-wi-webhook-mutating-webhook-configuration";

  test("a webhook that fails closed (or says nothing: Kubernetes' default is Fail) is fine", () => {
    expect(lenientWebhookWarning(name, [{ name: "m", failurePolicy: "Fail" }])).toBeUndefined();
    expect(lenientWebhookWarning(name, [{ name: "m" }])).toBeUndefined();
    // Unknown during a preview of a new cluster.
    expect(lenientWebhookWarning(name, undefined)).toBeUndefined();
  });

  test("a webhook that lets pods through unmutated is reported", () => {
    expect(
      lenientWebhookWarning(name, [
        { name: "mutation.azure-workload-identity.io", failurePolicy: "Ignore" },
      ]),
    ).toBe(
      "azure-wi-webhook-mutating-webhook-configuration: webhook mutation.azure-workload-identity.io has failurePolicy Ignore; a pod admitted while the webhook is down starts without its token and never gets one (delete the pod to retry)",
    );
  });
});
