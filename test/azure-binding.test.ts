/**
 * The aks stack (AKS Microsoft Entra Workload ID → Blob) under mocks, its second half: the binding,
 * the demo workload, the outputs, and config flowing through (test/azure.test.ts holds the
 * components, the cluster, the agent and the storage; both read one evaluation). The mocks give the
 * managed identity a client ID and a principal ID that differ, and an issuer URL with its trailing
 * '/', so a swap or a normalised issuer shows up as a wrong input.
 *
 * What this cannot prove: that Azure accepts these inputs (no provider validation runs), that the
 * AKS add-on injects the token and AZURE_* variables, that Entra exchanges the token (its issuer
 * keys are fetched from the live issuer), that RBAC propagates in time, or that the pinned image
 * starts; the verification Job proves those on a real `pulumi up`.
 */
import { expectRestrictedPod } from "./support/expect";
import { describe, expect, test } from "vitest";
import {
  AKS_ISSUER,
  IDENTITY_CLIENT_ID,
  IDENTITY_PRINCIPAL_ID,
  TENANT,
} from "../offline/clouds/azure";
import { exampleStackConfig } from "../offline/evaluate";
import { isSecret, valueOf } from "../offline/mocks";
import { AZURE_CLI_IMAGE, FEDERATED_LOGIN } from "../src/azure";
import {
  ACCOUNT,
  ACCOUNT_ID,
  CLUSTER_NAME,
  CONTAINER,
  CONTAINER_ID,
  evaluateAks,
  evaluateAksFile,
  IDENTITY,
  podTemplates,
  READER_ROLE,
  readerRole,
  rec,
  run,
  STORAGE_RG,
  T,
  useAks,
} from "./support/aks";

useAks();

describe("IdentityBinding", () => {
  test("a user-assigned identity next to the storage", () => {
    const identity = rec.one(T.identity);
    expect(identity.inputs.resourceGroupName).toBe(STORAGE_RG);
    expect(identity.inputs.location).toBe("swedencentral");
  });

  test("one federated credential: issuer verbatim, subject demo/demo, the token-exchange audience only", () => {
    const fic = rec.one(T.fic);
    expect(fic.inputs).toEqual({
      resourceGroupName: STORAGE_RG,
      resourceName: IDENTITY,
      federatedIdentityCredentialResourceName: "demo_demo",
      issuer: AKS_ISSUER,
      subject: "system:serviceaccount:demo:demo",
      audiences: ["api://AzureADTokenExchange"],
    });
    // Said twice because it is the classic mistake: the issuer keeps its trailing '/'.
    expect(fic.inputs.issuer.endsWith("/")).toBe(true);
    const sa = rec.one(T.sa, "-sa");
    expect(fic.inputs.subject).toBe(
      `system:serviceaccount:${sa.inputs.metadata.namespace}:${sa.inputs.metadata.name}`,
    );
  });

  test("Storage Blob Data Reader for the identity's principal ID, on the container only", () => {
    const role = readerRole();
    expect(IDENTITY_PRINCIPAL_ID).not.toBe(IDENTITY_CLIENT_ID);
    expect(role.inputs.principalId).toBe(IDENTITY_PRINCIPAL_ID);
    expect(role.inputs.principalType).toBe("ServicePrincipal");
    expect(role.inputs.roleDefinitionId).toBe(READER_ROLE);
    expect(role.inputs.scope).toBe(CONTAINER_ID);
    expect(role.inputs.scope).not.toBe(ACCOUNT_ID);
    expect(role.inputs.condition).toBeUndefined();
    // The subscription comes from the provider's client config, not from configuration.
    expect(
      rec.invokes.filter((i) => i.token === "azure-native:authorization:getClientConfig"),
    ).toHaveLength(2);
  });

  test("the ServiceAccount carries the client ID and tenant ID, and no pod label", () => {
    const sa = rec.one(T.sa, "-sa");
    expect(sa.inputs.metadata).toMatchObject({ name: "demo", namespace: "demo" });
    expect(sa.inputs.metadata.annotations).toEqual({
      "azure.workload.identity/client-id": IDENTITY_CLIENT_ID,
      "azure.workload.identity/tenant-id": TENANT,
    });
    expect(sa.inputs.metadata.labels?.["azure.workload.identity/use"]).toBeUndefined();
  });

  test("both pod templates carry the use label as the string true; the workloads themselves need not", () => {
    for (const t of podTemplates()) {
      expect(t.metadata.labels["azure.workload.identity/use"]).toBe("true");
    }
    for (const r of [rec.one(T.deployment), rec.one(T.job, "-verify")]) {
      expect(r.inputs.metadata.labels["azure.workload.identity/use"]).toBeUndefined();
    }
  });

  test("the ServiceAccount and both pods are created after the credential and the role assignment", () => {
    const fic = rec.one(T.fic);
    const role = readerRole();
    for (const r of [rec.one(T.sa, "-sa"), rec.one(T.deployment), rec.one(T.job, "-verify")]) {
      expect(r.dependencies, `${r.name} → credential`).toContain(fic.urn);
      expect(r.dependencies, `${r.name} → role assignment`).toContain(role.urn);
    }
  });
});

describe("DemoWorkload on AKS", () => {
  test.each([0, 1])("pod %i meets Pod Security restricted and mounts no token of its own", (i) => {
    const spec = podTemplates()[i].spec;
    expectRestrictedPod(spec);
    expect(spec.hostNetwork).toBeUndefined();
    const [c] = spec.containers;
    // The webhook projects the token; the pod spec only has its writable /tmp.
    expect(spec.volumes).toEqual([{ name: "tmp", emptyDir: { sizeLimit: "256Mi" } }]);
    expect(c.volumeMounts).toEqual([{ name: "tmp", mountPath: "/tmp" }]);
    expect(spec.serviceAccountName).toBe("demo");
    expect(
      podTemplates()[i].metadata.annotations?.["azure.workload.identity/inject-proxy-sidecar"],
    ).toBeUndefined();
  });

  test("a pinned azure-cli image from mcr.microsoft.com", () => {
    for (const t of podTemplates()) {
      expect(t.spec.containers[0].image).toBe(AZURE_CLI_IMAGE);
      expect(t.spec.containers[0].image).toMatch(/^mcr\.microsoft\.com\/azure-cli:\d+\.\d+\.\d+$/);
    }
  });

  test("env: the CLI's config under /tmp, the expected identity, no static credential", () => {
    for (const t of podTemplates()) {
      const env: { name: string; value: string }[] = t.spec.containers[0].env;
      expect(env).toContainEqual({ name: "HOME", value: "/tmp" });
      expect(env).toContainEqual({ name: "AZURE_CONFIG_DIR", value: "/tmp/.azure" });
      expect(env).toContainEqual({ name: "EXPECTED_IDENTITY", value: IDENTITY_CLIENT_ID });
      const names = env.map((e) => e.name);
      // Injected by the webhook, never set by us; and no secret of any kind.
      for (const forbidden of [
        "AZURE_CLIENT_ID",
        "AZURE_TENANT_ID",
        "AZURE_FEDERATED_TOKEN_FILE",
        "AZURE_CLIENT_SECRET",
        "AZURE_STORAGE_KEY",
        "AZURE_STORAGE_CONNECTION_STRING",
        "AZURE_STORAGE_SAS_TOKEN",
      ]) {
        expect(names).not.toContain(forbidden);
      }
    }
  });

  test("the Job logs in with the federated token, checks it is the identity, reads the blob with Entra auth", () => {
    const spec = rec.one(T.job, "-verify").inputs.spec.template.spec;
    expect(spec.restartPolicy).toBe("Never");
    const [sh, flag, script] = spec.containers[0].command;
    expect([sh, flag]).toEqual(["/bin/sh", "-c"]);
    expect(script).toContain(`if ${FEDERATED_LOGIN}; then`);
    expect(FEDERATED_LOGIN).toBe(
      'az login --service-principal -u "$AZURE_CLIENT_ID" -t "$AZURE_TENANT_ID" --federated-token "$(cat "$AZURE_FEDERATED_TOKEN_FILE")" --allow-no-subscriptions -o none',
    );
    expect(script).toContain('identity="$(az account show --query user.name -o tsv)"');
    expect(script).toContain(
      `rm -f /tmp/hello.txt && az storage blob download --auth-mode login --account-name ${ACCOUNT} --container-name ${CONTAINER} --name hello.txt --file /tmp/hello.txt -o none && cat /tmp/hello.txt`,
    );
    expect(script).toContain('[ "$content" = "Hello, World!" ]');
    // Role assignments take up to ten minutes: 60 tries, and a deadline that lets them happen.
    expect(script).toContain('while [ "$attempt" -le 60 ]; do');
    // Three pod starts of 120 s, the Job controller's 10 s + 20 s back-off, 60 tries of 20 s.
    expect(rec.one(T.job, "-verify").inputs.spec.activeDeadlineSeconds).toBe(
      3 * 120 + 30 + 60 * 20,
    );
    // A pod the webhook did not mutate (admitted too early) exits at once for a fresh one.
    for (const v of ["AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_FEDERATED_TOKEN_FILE"]) {
      expect(script).toContain(`[ -n "\${${v}:-}" ] || { echo "FAILED: ${v} is not set:`);
    }
  });

  test("the denial pod claims the identity by hand, unlabelled, so Entra must refuse its subject", () => {
    const template = rec.one(T.job, "-deny").inputs.spec.template;
    const spec = template.spec;
    expect(spec.serviceAccountName).toBe("demo-unbound");
    // No use label: the webhook leaves it alone and cannot inject a second token or env.
    expect(template.metadata.labels["azure.workload.identity/use"]).toBeUndefined();
    const env = Object.fromEntries(spec.containers[0].env.map((e: any) => [e.name, e.value]));
    expect(env).toMatchObject({
      AZURE_CLIENT_ID: IDENTITY_CLIENT_ID,
      AZURE_TENANT_ID: TENANT,
      AZURE_FEDERATED_TOKEN_FILE: "/var/run/secrets/tokens/azure/token",
      AZURE_AUTHORITY_HOST: "https://login.microsoftonline.com/",
    });
    expect(spec.volumes[1].projected.sources[0].serviceAccountToken).toEqual({
      audience: "api://AzureADTokenExchange",
      expirationSeconds: 3600,
      path: "token",
    });
    const script: string = spec.containers[0].command[2];
    expect(script).toContain(`if out="$( { ${FEDERATED_LOGIN} && rm -f /tmp/hello.txt`);
    expect(script).toContain("refusal='AuthorizationPermissionMismatch|AADSTS700213|AADSTS70021'");
  });
});

describe("stack outputs", () => {
  test("name the account/container, the object, the identity, and how to verify", async () => {
    const o = run.outputs;
    expect(await valueOf(o.bucketName)).toBe(`${ACCOUNT}/${CONTAINER}`);
    expect(await valueOf(o.objectUrl)).toBe(
      `https://${ACCOUNT}.blob.core.windows.net/${CONTAINER}/hello.txt`,
    );
    expect(await valueOf(o.clusterName)).toBe(CLUSTER_NAME);
    expect(await valueOf(o.identityClientId as any)).toBe(IDENTITY_CLIENT_ID);
    expect(await valueOf(o.storageAccount as any)).toBe(ACCOUNT);
    expect(await valueOf(o.container as any)).toBe(CONTAINER);
    const verify = await valueOf(o.verifyCommand);
    expect(verify).toBe(
      `kubectl -n demo exec deploy/wi-aks-demo-shell-a1b2c3d -- sh -c '${FEDERATED_LOGIN} && rm -f /tmp/hello.txt && az storage blob download --auth-mode login --account-name ${ACCOUNT} --container-name ${CONTAINER} --name hello.txt --file /tmp/hello.txt -o none && cat /tmp/hello.txt'`,
    );
    expect(await isSecret(o.bucketName)).toBe(false);
  });
});

describe("configuration flows through", () => {
  test("another namespace/ServiceAccount changes the credential's subject, the ServiceAccount and the pods together", async () => {
    await evaluateAks({
      ...exampleStackConfig("aks"),
      "workload-identity:namespace": "team-a",
      "workload-identity:serviceAccount": "reader.v2",
    });
    const fic = rec.one(T.fic);
    expect(fic.inputs.subject).toBe("system:serviceaccount:team-a:reader.v2");
    expect(fic.inputs.federatedIdentityCredentialResourceName).toBe("team-a_reader_v2");
    expect(rec.one(T.sa, "-sa").inputs.metadata).toMatchObject({
      name: "reader.v2",
      namespace: "team-a",
    });
    for (const t of podTemplates()) expect(t.spec.serviceAccountName).toBe("reader.v2");
    await evaluateAksFile();
  });

  test("aks without a location stops before any resource is registered", async () => {
    await expect(evaluateAks({ "workload-identity:cluster": "aks" })).rejects.toThrow(
      'config `azure-native:location`: required when `cluster` is aks; expected a location name such as swedencentral, got ""',
    );
    expect(rec.resources).toEqual([]);
    await evaluateAksFile();
  });
});
