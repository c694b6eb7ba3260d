/**
 * The AKS cluster's deploy-readiness: the node resource group bounded for any stack and location,
 * the API allow-list, the deployer's role type, the endpoint read off AKS's kubeconfig, the blob
 * container's name for any prefix, and the wait for the deployer's role as a unit (its loop) and
 * as the code Pulumi serializes into the dynamic provider (run here with its process and network
 * calls intercepted).
 *
 * What this cannot prove: that AKS accepts these inputs, how long Azure RBAC really takes to reach
 * the API server, or that `kubelogin` on the deployer's machine prints a token (only that the
 * serialized code asks it the right way and reads the ExecCredential it documents).
 */
import * as vm from "node:vm";
import { describe, expect, test } from "vitest";
import {
  AKS_CA,
  aksKubeconfig,
  aksServer,
  deployer,
  PIPELINE_CLIENT_ID,
  PIPELINE_OBJECT_ID,
} from "../offline/clouds/azure";
import { evaluate, exampleStackConfig } from "../offline/evaluate";
import { installMocks } from "../offline/mocks";
import {
  ACCESS_PROBE_PATH,
  AKS_AAD_SERVER_APP_ID,
  KUBELOGIN_ARGS,
  waitForAccess,
  type ProbeResult,
} from "../src/azure";
import { CONTAINER_NAME } from "../src/azure";
import {
  authorizedIpRanges,
  validateClusterArgs,
  AZURE_CLI_APP_ID,
  clusterEndpoint,
  deployerPrincipalType,
  NODE_RESOURCE_GROUP_MAX,
  nodeResourceGroupName,
} from "../src/azure";

const rec = installMocks("aks");
const AKS = "azure-native:containerservice:ManagedCluster";

/** The program as `stack`, on AKS in `location`, with extra config. */
function aks(stack: string, location: string, extra: Record<string, string> = {}) {
  return evaluate(rec, stack, {
    ...exampleStackConfig("aks"),
    "azure-native:location": location,
    ...extra,
  });
}

describe("node resource group", () => {
  test("AKS's own MC_ name would pass 80 characters for prod-eu-01 in northeurope", () => {
    // Pulumi's auto-names add 8 characters (the mocks' `-a1b2c3d` has the same length).
    const group = "wi-prod-eu-01-cluster-rg-a1b2c3d";
    const cluster = "wi-prod-eu-01-cluster-aks-a1b2c3d";
    expect(`MC_${group}_${cluster}_northeurope`.length).toBe(81);
  });

  test.each([
    ["prod-eu-01", "northeurope"],
    ["a-stack-name-of-many-words-and-more", "australiasoutheast"],
    ["x".repeat(40), "southcentralusstg"],
  ])(
    "stack %s in %s: our own name, within 80 (the mocks refuse more, as AKS does)",
    async (stack, location) => {
      const run = await aks(stack, location);
      const cluster = rec.one(AKS);
      const group = rec.one("azure-native:resources:ResourceGroup", "-cluster-rg");
      // The mocks auto-name the group `<logical name>-a1b2c3d`.
      expect(cluster.inputs.nodeResourceGroup).toBe(`${group.name}-a1b2c3d-nodes`);
      expect(cluster.inputs.nodeResourceGroup.length).toBeLessThanOrEqual(NODE_RESOURCE_GROUP_MAX);
      expect(cluster.inputs.nodeResourceGroup).toMatch(/^[-\w._()]+$/);
      expect(run.config.prefix.length).toBeLessThanOrEqual(19);
    },
  );

  test("any resource group name, up to Azure's 90, gives a name of at most 80 not ending in '.'", () => {
    for (const length of [1, 20, 73, 74, 75, 80, 89, 90]) {
      const name = nodeResourceGroupName("g".repeat(length - 1) + ".");
      expect(name.length, `${length}`).toBeLessThanOrEqual(NODE_RESOURCE_GROUP_MAX);
      expect(name.endsWith("-nodes")).toBe(true);
      expect(name).not.toMatch(/\.-nodes$/);
    }
    expect(nodeResourceGroupName("wi-aks-cluster-rg-a1b2c3d")).toBe(
      "wi-aks-cluster-rg-a1b2c3d-nodes",
    );
    expect(nodeResourceGroupName("r".repeat(90))).toBe(`${"r".repeat(74)}-nodes`);
  });
});

describe("apiAllowedCidrs on AKS", () => {
  test("exactly 0.0.0.0/0 leaves the endpoint as AKS makes it: no authorized ranges", () => {
    expect(authorizedIpRanges(["0.0.0.0/0"])).toBeUndefined();
    expect(authorizedIpRanges(["0.0.0.0/0", "203.0.113.0/24"])).toEqual([
      "0.0.0.0/0",
      "203.0.113.0/24",
    ]);
  });

  test("a list reaches apiServerAccessProfile.authorizedIPRanges as given", async () => {
    await aks("aks", "swedencentral", {
      "workload-identity:apiAllowedCidrs": JSON.stringify(["203.0.113.0/24", "198.51.100.7/32"]),
    });
    expect(rec.one(AKS).inputs.apiServerAccessProfile).toEqual({
      authorizedIPRanges: ["203.0.113.0/24", "198.51.100.7/32"],
    });
  });

  test("a range not given by its first address is refused, naming the one AKS wants", () => {
    expect(
      validateClusterArgs({
        location: "swedencentral",
        apiAllowedCidrs: ["137.117.106.90/29"],
        tags: {},
      }),
    ).toEqual([
      'apiAllowedCidrs: "137.117.106.90/29" is not the first address of its range; AKS wants 137.117.106.88/29',
    ]);
    expect(authorizedIpRanges(["137.117.106.88/29", "10.0.0.0/8"])).toEqual([
      "137.117.106.88/29",
      "10.0.0.0/8",
    ]);
  });
});

describe("the deployer's role assignment", () => {
  test("a user signed in with az is a User; a service principal or managed identity is not", () => {
    expect(deployerPrincipalType(AZURE_CLI_APP_ID)).toBe("User");
    expect(deployerPrincipalType(PIPELINE_CLIENT_ID)).toBe("ServicePrincipal");
  });

  test("a pipeline's service principal gets its role as a ServicePrincipal (ARM refuses a mismatch)", async () => {
    const user = { ...deployer };
    Object.assign(deployer, {
      clientId: PIPELINE_CLIENT_ID,
      objectId: PIPELINE_OBJECT_ID,
      type: "ServicePrincipal",
    });
    try {
      await aks("aks", "swedencentral");
    } finally {
      Object.assign(deployer, user);
    }
    expect(
      rec.one("azure-native:authorization:RoleAssignment", "-cluster-admin").inputs,
    ).toMatchObject({
      principalId: PIPELINE_OBJECT_ID,
      principalType: "ServicePrincipal",
    });
  });
});

describe("the endpoint read off AKS's kubeconfig", () => {
  test("server and CA of the cluster entry; the user entry is ignored", () => {
    expect(clusterEndpoint(aksKubeconfig("c"))).toEqual({
      server: aksServer("c"),
      certificateAuthority: AKS_CA,
    });
    expect(() => clusterEndpoint("apiVersion: v1\nclusters: []\n")).toThrow(
      "the kubeconfig AKS returned names no API server and CA",
    );
  });
});

describe("blob container name", () => {
  test("valid for any prefix, with no '--' even for stack a--b", async () => {
    // 3–63 lowercase letters, digits and single hyphens, starting and ending alphanumeric.
    const valid = /^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/;
    expect(CONTAINER_NAME).toMatch(valid);
    for (const stack of ["a--b", "dev", "---", "prod-eu-01"]) {
      await aks(stack, "swedencentral");
      const container = rec.one("azure-native:storage:BlobContainer");
      expect(container.inputs.containerName, stack).toMatch(valid);
      expect(container.inputs.containerName).not.toContain("--");
    }
  });
});

describe("waiting for the role to take effect", () => {
  const schedule = { attempts: 4, intervalMs: 10_000 };

  function fakeProbe(answers: ProbeResult[]) {
    const slept: number[] = [];
    let calls = 0;
    return {
      deps: {
        probe: () => Promise.resolve(answers[Math.min(calls++, answers.length - 1)]),
        sleep: (ms: number) => {
          slept.push(ms);
          return Promise.resolve();
        },
      },
      slept,
      calls: () => calls,
    };
  }

  test("tries again on 403, 401 and network errors until a 200", async () => {
    const f = fakeProbe([
      { status: 403 },
      { error: "ECONNRESET" },
      { status: 401 },
      { status: 200 },
    ]);
    expect(await waitForAccess(f.deps, schedule)).toBe(4);
    expect(f.slept).toEqual([10_000, 10_000, 10_000]);
  });

  test("returns at once when access is already there", async () => {
    const f = fakeProbe([{ status: 200 }]);
    expect(await waitForAccess(f.deps, schedule)).toBe(1);
    expect(f.slept).toEqual([]);
  });

  test("fails after the last try with what the server said", async () => {
    const f = fakeProbe([{ status: 403 }]);
    await expect(waitForAccess(f.deps, schedule)).rejects.toThrow(
      "the AKS API server still refuses the deploying identity after 4 tries 10 s apart (last: HTTP 403)",
    );
    expect(f.calls()).toBe(4);
    expect(f.slept).toHaveLength(3);
  });

  test("the serialized provider asks kubelogin for an Entra token and lists namespaces with it", async () => {
    await aks("aks", "swedencentral");
    const access = rec.one("pulumi-nodejs:dynamic:Resource");
    const source: string = access.inputs.__provider;
    // Run what Pulumi would ship to the dynamic provider host, with its process and HTTPS calls
    // intercepted: the first try is refused (403), the second allowed.
    const execs: { file: string; args: string[] }[] = [];
    const gets: { url: string; options: any }[] = [];
    const statuses = [403, 200];
    const fakeRequire = (id: string): unknown => {
      if (id === "node:child_process") {
        return {
          execFileSync: (file: string, args: string[]) => {
            execs.push({ file, args });
            return JSON.stringify({
              kind: "ExecCredential",
              apiVersion: "client.authentication.k8s.io/v1beta1",
              status: { token: "entra-token", expirationTimestamp: "2030-01-01T00:00:00Z" },
            });
          },
        };
      }
      if (id === "node:https") {
        return {
          get: (url: URL, options: any, callback: (r: any) => void) => {
            gets.push({ url: url.toString(), options });
            queueMicrotask(() => callback({ statusCode: statuses.shift(), resume: () => {} }));
            return { on: () => undefined, destroy: () => undefined };
          },
        };
      }
      throw new Error(`unexpected require ${id}`);
    };
    const module = { exports: {} as any };
    vm.runInNewContext(source, {
      exports: module.exports,
      module,
      require: fakeRequire,
      Buffer,
      URL,
      JSON,
      Promise,
      // The wait between tries, made instant.
      setTimeout: (fn: () => void) => queueMicrotask(fn),
      queueMicrotask,
    });
    const provider = module.exports.handler();
    const result = await provider.create(access.inputs);
    expect(result.outs.tries).toBe(2);
    expect(result.id).toBe(access.inputs.roleAssignmentId);
    expect(execs).toEqual([
      { file: "kubelogin", args: [...KUBELOGIN_ARGS] },
      { file: "kubelogin", args: [...KUBELOGIN_ARGS] },
    ]);
    expect(KUBELOGIN_ARGS).toEqual([
      "get-token",
      "--login",
      "azurecli",
      "--server-id",
      AKS_AAD_SERVER_APP_ID,
    ]);
    expect(gets.map((g) => g.url)).toEqual([
      `${aksServer("wi-aks-cluster-aks-a1b2c3d")}${ACCESS_PROBE_PATH}`.replace(":443", ""),
      `${aksServer("wi-aks-cluster-aks-a1b2c3d")}${ACCESS_PROBE_PATH}`.replace(":443", ""),
    ]);
    expect(gets[0].options.headers.Authorization).toBe("Bearer entra-token");
    expect(gets[0].options.ca).toEqual(Buffer.from(AKS_CA, "base64"));
    // A changed assignment waits again; anything else does not.
    const same = await provider.diff("id", access.inputs, { ...access.inputs });
    expect(same.changes).toBe(false);
    const moved = await provider.diff("id", access.inputs, {
      ...access.inputs,
      roleAssignmentId: "other",
    });
    expect(moved).toMatchObject({ changes: true, replaces: ["roleAssignmentId"] });
  });
});
