/**
 * What `npm run mutation` checks in src/azure/federation.ts and src/azure/binding.ts beyond the
 * stacks (docs/testing.md, "Mutation testing"): every refusal of the ServiceAccounts one managed
 * identity would trust at its exact bounds, the credential names Entra holds, and everything the
 * binding registers and hands the pods (credentials in order, the role assignment, env, tokens,
 * annotations, labels, proof inputs, registered outputs), built on its own under the mocks.
 */
import * as pulumi from "@pulumi/pulumi";
import { afterEach, describe, expect, test, vi } from "vitest";
import { installMocks, settle, valueOf } from "../offline/mocks";
import { IDENTITY_CLIENT_ID, IDENTITY_PRINCIPAL_ID, TENANT } from "../offline/clouds/azure";
import {
  federatedCredentialName,
  IdentityBinding,
  MAX_FEDERATED_CREDENTIALS,
  serviceAccountsProblems,
  TOKEN_EXCHANGE_AUDIENCE,
  validateIdentityBindingArgs,
  type IdentityBindingArgs,
} from "../src/azure";

const rec = installMocks();
afterEach(() => vi.restoreAllMocks());

const sa = (namespace: string, serviceAccount: string) => ({ namespace, serviceAccount });
const NOT_K8S = (pair: string) =>
  `serviceAccounts: ${JSON.stringify(pair)} is not a Kubernetes namespace/ServiceAccount ` +
  "(lowercase letters, digits, '-'; '.' in the ServiceAccount only)";

describe("serviceAccountsProblems", () => {
  test("none is refused", () => {
    expect(serviceAccountsProblems([])).toEqual([
      "serviceAccounts: expected at least one namespace/ServiceAccount, got none",
    ]);
  });

  test("20 pass, 21 are refused with the count and the way out", () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => sa(`ns-${i}`, "reader"));
    expect(MAX_FEDERATED_CREDENTIALS).toBe(20);
    expect(serviceAccountsProblems(many(20))).toEqual([]);
    expect(serviceAccountsProblems(many(21))).toEqual([
      "serviceAccounts: a managed identity takes at most 20 federated identity credentials, got 21; " +
        "split the ServiceAccounts across several IdentityBindings",
    ]);
  });

  test("names Kubernetes allows pass, at their longest", () => {
    expect(
      serviceAccountsProblems([
        sa("a".repeat(63), "b".repeat(253)),
        sa("a", "b.c-d"),
        sa("a", "x.y.z"),
        sa("0-9", "x"),
      ]),
    ).toEqual([]);
  });

  test.each([
    ["a".repeat(64), "reader"],
    ["team-a", "b".repeat(254)],
    ["Team", "reader"],
    ["-team", "reader"],
    ["team-", "reader"],
    ["team.a", "reader"],
    ["x:team", "reader"],
    ["team:x", "reader"],
    ["team", "Reader"],
    ["team", "reader."],
    ["team", ".reader"],
    ["team", "x:reader"],
    ["team", "reader:x"],
    ["team", "a..b"],
    ["", "reader"],
    ["team", ""],
  ])("%s/%s is refused", (namespace, serviceAccount) => {
    expect(serviceAccountsProblems([sa(namespace, serviceAccount)])).toEqual([
      NOT_K8S(`${namespace}/${serviceAccount}`),
    ]);
  });

  test("the same ServiceAccount twice is refused once per repeat; other problems still reported", () => {
    expect(
      serviceAccountsProblems([
        sa("a", "r"),
        sa("b", "r"),
        sa("a", "r"),
        sa("B", "r"),
        sa("a", "r"),
      ]),
    ).toEqual([
      'serviceAccounts: "system:serviceaccount:a:r" is listed twice; each ServiceAccount gets exactly one federated identity credential',
      NOT_K8S("B/r"),
      'serviceAccounts: "system:serviceaccount:a:r" is listed twice; each ServiceAccount gets exactly one federated identity credential',
    ]);
  });
});

describe("federatedCredentialName", () => {
  test("namespace_serviceAccount, dots as underscores, up to 120 characters", () => {
    expect(federatedCredentialName(sa("team-a", "app.reader.x"))).toBe("team-a_app_reader_x");
    const fits = sa("a".repeat(60), "b".repeat(59));
    expect(federatedCredentialName(fits)).toBe(`${"a".repeat(60)}_${"b".repeat(59)}`);
  });

  test("longer: cut to 120 with a hash of the subject", () => {
    const long = sa("a".repeat(60), "b".repeat(60));
    // sha256("system:serviceaccount:<60 a>:<60 b>"), first 16 hex digits.
    const name = federatedCredentialName(long);
    expect(name).toHaveLength(120);
    expect(name).toMatch(new RegExp(`^${"a".repeat(60)}_${"b".repeat(42)}-[0-9a-f]{16}$`));
    const other = federatedCredentialName(sa("a".repeat(60), `${"b".repeat(59)}c`));
    expect(other.slice(0, 103)).toBe(name.slice(0, 103));
    expect(other).not.toBe(name);
  });
});

function spyOutputs(): (component: pulumi.ComponentResource) => Promise<Record<string, unknown>> {
  const spy = vi.spyOn(pulumi.ComponentResource.prototype as any, "registerOutputs");
  return async (component) => {
    const index = spy.mock.contexts.indexOf(component);
    expect(index).toBeGreaterThanOrEqual(0);
    const outputs = spy.mock.calls[index][0] as Record<string, pulumi.Output<unknown>>;
    const values: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(outputs)) values[k] = await valueOf(v);
    return values;
  };
}

const resolved = (inputs: readonly pulumi.Input<unknown>[]) =>
  Promise.all(inputs.map((i) => valueOf(pulumi.output(i))));

const ARGS: IdentityBindingArgs = {
  issuerUrl: "https://oidc.example.com/issuer/",
  serviceAccounts: [sa("team-a", "reader"), sa("team-b", "app.writer")],
  resourceGroupName: "rg",
  location: "northeurope",
  roleDefinitionId: "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/r",
  scope:
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a/blobServices/default/containers/c",
  tags: { project: "p" },
};

describe("IdentityBinding", () => {
  test("refuses bad ServiceAccounts before any child exists, with every problem", () => {
    rec.clear();
    const bad = { ...ARGS, serviceAccounts: [sa("a", "r"), sa("a", "r"), sa("A", "r")] };
    expect(validateIdentityBindingArgs(bad)).toEqual(serviceAccountsProblems(bad.serviceAccounts));
    expect(() => new IdentityBinding("mut-bad", bad)).toThrow(
      serviceAccountsProblems(bad.serviceAccounts).join("; "),
    );
    expect(rec.resources.filter((r) => r.name.startsWith("mut-bad-"))).toEqual([]);
  });

  test("webhook: one credential per ServiceAccount in order, the role, what pods carry, its outputs", async () => {
    rec.clear();
    const outputsOf = spyOutputs();
    const condition = "((!(ActionMatches{'x'})))";
    const binding = new IdentityBinding("mut-az", { ...ARGS, condition });
    await settle();

    const identity = rec.one(
      "azure-native:managedidentity:UserAssignedIdentity",
      "mut-az-identity",
    );
    expect(identity.inputs).toEqual({
      resourceGroupName: "rg",
      location: "northeurope",
      tags: { project: "p", component: "identity-binding" },
    });
    const identityName = await valueOf(binding.identityName);
    const fics = rec.ofType("azure-native:managedidentity:FederatedIdentityCredential");
    expect(fics.map((f) => [f.name, f.inputs])).toEqual([
      [
        "mut-az-fic-team-a_reader",
        {
          resourceGroupName: "rg",
          resourceName: identityName,
          federatedIdentityCredentialResourceName: "team-a_reader",
          issuer: "https://oidc.example.com/issuer/",
          subject: "system:serviceaccount:team-a:reader",
          audiences: ["api://AzureADTokenExchange"],
        },
      ],
      [
        "mut-az-fic-team-b_app_writer",
        {
          resourceGroupName: "rg",
          resourceName: identityName,
          federatedIdentityCredentialResourceName: "team-b_app_writer",
          issuer: "https://oidc.example.com/issuer/",
          subject: "system:serviceaccount:team-b:app.writer",
          audiences: ["api://AzureADTokenExchange"],
        },
      ],
    ]);
    // Written one after another: the second waits for the first, the first for nothing else.
    expect(fics[1].dependencies).toContain(fics[0].urn);
    expect(fics[0].dependencies.filter((d) => d.includes("FederatedIdentityCredential"))).toEqual(
      [],
    );

    const assignment = rec.one("azure-native:authorization:RoleAssignment", "mut-az-reader");
    expect(assignment.inputs).toEqual({
      principalId: IDENTITY_PRINCIPAL_ID,
      principalType: "ServicePrincipal",
      roleDefinitionId: ARGS.roleDefinitionId,
      scope: ARGS.scope,
      description: "mut-az: Kubernetes ServiceAccounts federated with this identity",
      condition,
      conditionVersion: "2.0",
    });

    const access = binding.accessFor(sa("team-b", "app.writer"));
    expect(access.identity).toEqual(sa("team-b", "app.writer"));
    expect(access.env).toEqual([]);
    expect(access.projectedTokens).toBeUndefined();
    expect(access.podLabels).toEqual({ "azure.workload.identity/use": "true" });
    const annotations = access.serviceAccountAnnotations;
    expect(Object.keys(annotations)).toEqual([
      "azure.workload.identity/client-id",
      "azure.workload.identity/tenant-id",
    ]);
    expect(await resolved(Object.values(annotations))).toEqual([IDENTITY_CLIENT_ID, TENANT]);
    expect(access.credentialVariables).toEqual([
      "AZURE_CLIENT_ID",
      "AZURE_TENANT_ID",
      "AZURE_FEDERATED_TOKEN_FILE",
    ]);
    expect(access.readyAfter).toEqual([binding.credentials[1], expect.anything()]);
    expect(await valueOf((access.readyAfter[1] as pulumi.CustomResource).urn)).toBe(assignment.urn);
    expect(await resolved(access.proofInputs)).toEqual([
      IDENTITY_CLIENT_ID,
      IDENTITY_PRINCIPAL_ID,
      "https://oidc.example.com/issuer/",
      "system:serviceaccount:team-a:reader",
      "api://AzureADTokenExchange",
      "https://oidc.example.com/issuer/",
      "system:serviceaccount:team-b:app.writer",
      "api://AzureADTokenExchange",
      ARGS.roleDefinitionId,
      ARGS.scope,
      IDENTITY_PRINCIPAL_ID,
      condition,
    ]);
    const denial = access.denial;
    expect(denial.podLabels).toEqual({});
    expect(denial.refusal).toBe("AADSTS700213|AADSTS70021");
    expect(
      await Promise.all(
        denial.env.map(async (e) => [e.name, await valueOf(pulumi.output(e.value))]),
      ),
    ).toEqual([
      ["AZURE_CLIENT_ID", IDENTITY_CLIENT_ID],
      ["AZURE_TENANT_ID", TENANT],
      ["AZURE_FEDERATED_TOKEN_FILE", "/var/run/secrets/tokens/azure/token"],
      ["AZURE_AUTHORITY_HOST", "https://login.microsoftonline.com/"],
    ]);
    expect(denial.projectedTokens).toEqual([
      {
        name: "azure-token",
        audience: TOKEN_EXCHANGE_AUDIENCE,
        mountPath: "/var/run/secrets/tokens/azure",
        expirationSeconds: 3600,
      },
    ]);
    expect(await outputsOf(binding)).toEqual({
      identityName,
      clientId: IDENTITY_CLIENT_ID,
      principalId: IDENTITY_PRINCIPAL_ID,
      tenantId: TENANT,
      roleAssignmentId: await valueOf(binding.roleAssignmentId),
    });
    expect(() => binding.accessFor(sa("team-c", "reader"))).toThrow(
      "accessFor: team-c/reader is not one of this binding's ServiceAccounts",
    );
    expect(() => binding.accessFor(sa("team-a", "app.writer"))).toThrow(/not one of/);
  });

  test("projected, no condition: the pod carries the env and its own token; no condition version", async () => {
    rec.clear();
    const binding = new IdentityBinding("mut-azp", { ...ARGS, delivery: "projected" });
    await settle();
    const assignment = rec.one("azure-native:authorization:RoleAssignment", "mut-azp-reader");
    expect(assignment.inputs.condition).toBeUndefined();
    expect(assignment.inputs.conditionVersion).toBeUndefined();
    const access = binding.accessFor(sa("team-a", "reader"));
    expect(access.serviceAccountAnnotations).toEqual({});
    expect(access.podLabels).toEqual({});
    expect(access.env).toBe(access.denial.env);
    expect(access.env.map((e) => e.name)).toEqual([
      "AZURE_CLIENT_ID",
      "AZURE_TENANT_ID",
      "AZURE_FEDERATED_TOKEN_FILE",
      "AZURE_AUTHORITY_HOST",
    ]);
    expect(access.projectedTokens).toBe(access.denial.projectedTokens);
    expect(await resolved(access.proofInputs)).toHaveLength(2 + 3 * 2 + 3);
  });
});
