/**
 * Adopting an existing EKS cluster (`existingCluster`, stack eks-existing): the cluster is looked
 * up, never registered; its issuer, ARN, endpoint and CA come from the lookup; the mechanism's
 * needs (the Pod Identity agent, IRSA's IAM OIDC provider) are checked at preview, and only what
 * the stack creates (bucket, identities, bindings, demo objects) is in the stack.
 *
 * What mocks cannot prove: the provider's exact wording for a missing cluster, add-on or OIDC
 * provider (the mocks answer like terraform-provider-aws's "couldn't find resource"; `isNotFound`
 * also knows EKS's and IAM's own error codes), that the deployer's access entry lets `aws eks
 * get-token` in, or that `retainOnDelete` keeps the add-on (the engine honours it, not the program).
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, test } from "vitest";
import { evaluate, exampleStackConfig, type Evaluation } from "../offline/evaluate";
import { statements } from "../offline/iam";
import {
  ACCOUNT,
  EXISTING_EKS,
  installMocks,
  isSecret,
  settle,
  useStack,
  valueOf,
  type Recorded,
} from "../offline/mocks";
import { Provider } from "@pulumi/aws/provider";
import {
  AdoptedIdentityAgent,
  createAgentCommand,
  eksClusterNameProblem,
  podIdentityTrustDocument,
  webIdentityTrustDocument,
} from "../src/aws";
import { parseConfig } from "../src/config";

const rec = installMocks();
const T = {
  cluster: "workload-identity:aws:Cluster",
  agent: "workload-identity:aws:IdentityAgent",
  eks: "aws:eks/cluster:Cluster",
  nodeGroup: "aws:eks/nodeGroup:NodeGroup",
  addon: "aws:eks/addon:Addon",
  association: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
  oidc: "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
  role: "aws:iam/role:Role",
  awsProvider: "pulumi:providers:aws",
  k8sProvider: "pulumi:providers:kubernetes",
  sa: "kubernetes:core/v1:ServiceAccount",
  deployment: "kubernetes:apps/v1:Deployment",
  job: "kubernetes:batch/v1:Job",
};
const REGION = "eu-north-1";
const arnOf = (name: string) => `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/${name}`;
const hostOf = (issuer: string) => issuer.replace("https://", "");

/** The eks-existing stack file, with `overrides` (keys without the project namespace). */
function adopt(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    ...exampleStackConfig("eks-existing"),
    ...Object.fromEntries(Object.entries(overrides).map(([k, v]) => [ns(k), v])),
  };
}
const ns = (k: string) => (k.includes(":") ? k : `workload-identity:${k}`);

/**
 * Runs `body` and returns the errors that reached Node's unhandled-rejection hook: where Pulumi
 * reports a component's ResourceError raised inside an Output (as in test/aws-network.test.ts).
 */
async function reportedErrors(body: () => Promise<unknown>): Promise<unknown[]> {
  const reported: unknown[] = [];
  const listener = (error: unknown) => {
    if (!reported.includes(error)) reported.push(error);
  };
  process.on("unhandledRejection", listener);
  try {
    await body();
    await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    process.off("unhandledRejection", listener);
  }
  return reported;
}

/** Evaluates `config` and expects no reported error. */
async function evaluateClean(config: Record<string, string>, stack = "eks-existing") {
  let run: Evaluation | undefined;
  const errors = await reportedErrors(async () => (run = await evaluate(rec, stack, config)));
  expect(errors.map((e) => (e as Error).message)).toEqual([]);
  return run!;
}

/** The one reported error: a ResourceError of the component of type `owner`; its message. */
async function refusal(config: Record<string, string>, owner: string): Promise<string> {
  const errors = await reportedErrors(() => evaluate(rec, "eks-existing", config));
  expect(errors).toHaveLength(1);
  const [error] = errors;
  expect(pulumi.ResourceError.isInstance(error)).toBe(true);
  const resource = (error as pulumi.ResourceError).resource!;
  expect(await valueOf(resource.urn)).toBe(rec.one(owner).urn);
  // Pulumi prefixes the text with each input it failed to serialize on the way.
  return (error as Error).message.replace(/^(error serializing property "[^"]*": )*/, "");
}

/** Nothing of the cluster is in the stack: no cluster, node group, add-on or cluster IAM role. */
function expectClusterUntouched(options: { addon?: boolean } = {}) {
  expect(rec.ofType(T.eks)).toEqual([]);
  expect(rec.ofType(T.nodeGroup)).toEqual([]);
  expect(rec.ofType(T.addon)).toHaveLength(options.addon ? 1 : 0);
  // Nothing is read into the stack either (a `.get` would be a resource of the stack).
  expect(rec.resources.filter((r) => r.readId !== undefined)).toEqual([]);
  // The only AWS resources are the storage's and the binding's (and the add-on when asked for).
  const owners = new Set([
    "workload-identity:aws:BucketWithPolicy",
    "workload-identity:aws:IdentityBinding",
    "workload-identity:aws:WebIdentityBinding",
  ]);
  for (const r of rec.resources.filter((x) => x.custom && x.type.startsWith("aws:"))) {
    const owner = rec.ancestors(r).find((a) => a.type.startsWith("workload-identity:"))!;
    if (r.type === T.addon) expect(owner.type).toBe(T.agent);
    else expect(owners.has(owner.type), `${r.type} ${r.name} under ${owner.type}`).toBe(true);
  }
  // The Cluster component holds only the Kubernetes provider.
  const cluster = rec.one(T.cluster);
  expect(rec.resources.filter((r) => r.parent === cluster.urn).map((r) => r.type)).toEqual([
    T.k8sProvider,
  ]);
}

/** Every invoke of `token` went through the stack's one AWS provider; their arguments. */
function lookups(token: string): any[] {
  const provider = rec.one(T.awsProvider);
  const found = rec.invokes.filter((i) => i.token === token);
  for (const i of found) expect(i.provider.split("::").slice(0, -1).join("::")).toBe(provider.urn);
  return found.map((i) => i.args);
}

function pods(): Recorded[] {
  return [rec.one(T.deployment), rec.one(T.job, "-verify")];
}

describe("Pod Identity → S3 on an adopted cluster (stack eks-existing)", () => {
  const name = "my-eks-cluster";
  const cluster = EXISTING_EKS[name];

  test("the five components compose; the cluster is looked up, nothing of it registered", async () => {
    await evaluateClean(adopt());
    const components = rec.resources.filter((r) => r.type.startsWith("workload-identity:"));
    expect(components.map((c) => `${c.type} ${c.name}`).sort()).toEqual([
      "workload-identity:aws:BucketWithPolicy wi-eks-existing-storage",
      "workload-identity:aws:Cluster wi-eks-existing-cluster",
      "workload-identity:aws:IdentityAgent wi-eks-existing-agent",
      "workload-identity:aws:IdentityBinding wi-eks-existing-binding",
      "workload-identity:k8s:DemoWorkload wi-eks-existing-demo",
    ]);
    expectClusterUntouched();
    expect(lookups("aws:eks/getCluster:getCluster")).toEqual([{ name, region: REGION }]);
    expect(lookups("aws:eks/getAddon:getAddon")).toEqual([
      { clusterName: name, addonName: "eks-pod-identity-agent", region: REGION },
    ]);
  });

  test("the role trusts Pod Identity for the looked-up cluster's ARN and demo/demo only", async () => {
    await evaluateClean(adopt());
    expect(JSON.parse(rec.one(T.role, "-binding-role").inputs.assumeRolePolicy)).toEqual(
      podIdentityTrustDocument(arnOf(name), "demo", "demo"),
    );
    const association = rec.one(T.association);
    expect(association.inputs).toMatchObject({
      clusterName: name,
      namespace: "demo",
      serviceAccount: "demo",
    });
    // The pods are admitted after the association, and both proofs run.
    for (const pod of pods()) expect(rec.dependsOn(pod, association), pod.name).toBe(true);
    expect(
      rec
        .ofType(T.job)
        .map((j) => j.name)
        .sort(),
    ).toEqual(["wi-eks-existing-demo-deny", "wi-eks-existing-demo-verify"]);
  });

  test("outputs: the looked-up name and issuer; a secret kubeconfig with aws eks get-token", async () => {
    const run = await evaluateClean(adopt());
    expect(await valueOf(run.outputs.clusterName)).toBe(name);
    expect(await valueOf(run.outputs.oidcIssuerUrl)).toBe(cluster.issuer);
    expect(await isSecret(run.outputs.kubeconfig)).toBe(true);
    const kubeconfig = JSON.parse(await valueOf(run.outputs.kubeconfig));
    expect(kubeconfig.clusters[0].cluster).toEqual({
      server: `https://ADOPTED${name.length}.gr7.${REGION}.eks.amazonaws.com`,
      "certificate-authority-data": `Q0Etb2Yt${Buffer.from(name).toString("base64")}`,
    });
    expect(kubeconfig.users[0].user.exec).toMatchObject({
      command: "aws",
      args: ["eks", "get-token", "--cluster-name", name, "--region", REGION],
    });
    const provider = rec.one(T.k8sProvider);
    expect(JSON.parse(provider.inputs.kubeconfig)).toEqual(kubeconfig);
    expect(provider.secretInputs).toEqual(["kubeconfig"]);
    expect(provider.inputs).not.toHaveProperty("deleteUnreachable");
    for (const o of rec.resources.filter((r) => r.type.startsWith("kubernetes:"))) {
      expect(rec.providerUrn(o), o.name).toBe(provider.urn);
    }
  });

  test("an Auto Mode cluster needs no add-on", async () => {
    await evaluateClean(adopt({ existingCluster: "auto-cluster" }));
    expectClusterUntouched();
    expect(rec.one(T.association).inputs.clusterName).toBe("auto-cluster");
  });

  test("a missing agent fails the preview, naming the cluster, the add-on and the command", async () => {
    const message = await refusal(adopt({ existingCluster: "bare-cluster" }), T.agent);
    expect(message).toBe(
      'EKS cluster "bare-cluster" has no Pod Identity agent (neither the eks-pod-identity-agent ' +
        "add-on nor Auto Mode), which Pod Identity needs; install it with " +
        "`aws eks create-addon --cluster-name bare-cluster --addon-name eks-pod-identity-agent " +
        "--region eu-north-1`, or set installAgent: true to let this stack install it (kept on " +
        "destroy), or use awsMechanism: irsa",
    );
    expect(rec.ofType(T.addon)).toEqual([]);
  });

  test("a cluster that does not exist is refused, naming it and the region", async () => {
    const message = await refusal(adopt({ existingCluster: "no-such-cluster" }), T.cluster);
    expect(message).toBe(
      'config `existingCluster`: no EKS cluster "no-such-cluster" in eu-north-1 (check the name ' +
        "and aws:region; `aws eks list-clusters --region eu-north-1` lists them)",
    );
  });
});

describe("installAgent", () => {
  test("installs the missing add-on on the adopted cluster, in the Agent, before the pods", async () => {
    await evaluateClean(adopt({ existingCluster: "bare-cluster", installAgent: "true" }));
    expectClusterUntouched({ addon: true });
    const addon = rec.one(T.addon);
    expect(addon.inputs).toMatchObject({
      clusterName: "bare-cluster",
      addonName: "eks-pod-identity-agent",
    });
    expect(addon.inputs.tags).toMatchObject({ stack: "eks-existing", component: "identity-agent" });
    expect(rec.ancestors(addon)[0].type).toBe(T.agent);
    for (const pod of pods()) expect(rec.dependsOn(pod, addon), pod.name).toBe(true);
  });

  test("an add-on this stack installed earlier (its tags) is fine on the next run", async () => {
    // ours-cluster's add-on carries stack dev's tags.
    const errors = await reportedErrors(() =>
      evaluate(rec, "dev", {
        ...adopt({ existingCluster: "ours-cluster", installAgent: "true" }),
      }),
    );
    expect(errors).toEqual([]);
    expect(rec.one(T.addon).inputs.clusterName).toBe("ours-cluster");
  });

  test("an add-on installed outside the stack is never taken over", async () => {
    const message = await refusal(
      adopt({ existingCluster: "team-cluster", installAgent: "true" }),
      T.agent,
    );
    expect(message).toBe(
      'EKS cluster "team-cluster" already has the eks-pod-identity-agent add-on, installed outside ' +
        "this stack; remove installAgent (the stack uses the add-on as it is)",
    );
  });

  test("refused where Pod Identity is not used, before anything of the cluster is registered", async () => {
    await expect(
      evaluate(rec, "eks-existing", adopt({ installAgent: "true", awsMechanism: "irsa" })),
    ).rejects.toThrow(
      "config `installAgent`: true, but this stack does not use EKS Pod Identity (storage s3, " +
        "awsMechanism irsa); the agent is only needed with storage s3 and awsMechanism " +
        "pod-identity: remove installAgent",
    );
    expect(rec.ofType(T.cluster)).toEqual([]);
  });

  test("the add-on is kept on destroy (retainOnDelete) and is the component's only child", async () => {
    // The recorder does not keep resource options: read this one off the register request.
    useStack(rec, "dev");
    const monitor = pulumi.runtime.getMonitor() as any;
    const register = monitor.registerResource.bind(monitor);
    const retained: Record<string, boolean> = {};
    monitor.registerResource = (req: any, callback: any) => {
      retained[req.getType()] = req.getRetainondelete();
      return register(req, callback);
    };
    const provider = new Provider("aws", { region: REGION });
    const agent = new AdoptedIdentityAgent(
      "adopt",
      {
        clusterName: "bare-cluster",
        region: REGION,
        autoMode: false,
        install: true,
        tags: { project: "workload-identity", stack: "dev" },
      },
      { providers: { aws: provider } },
    );
    await settle();
    expect(retained[T.addon]).toBe(true);
    expect(await valueOf(agent.source)).toBe("installed-by-this-stack");
    const component = rec.one(T.agent);
    expect(rec.resources.filter((r) => r.parent === component.urn).map((r) => r.type)).toEqual([
      T.addon,
    ]);
  });
});

describe("IRSA → S3 on an adopted cluster", () => {
  const name = "team-cluster";
  const { issuer } = EXISTING_EKS[name];
  const providerArn = `arn:aws:iam::${ACCOUNT}:oidc-provider/${hostOf(issuer)}`;

  test("uses the account's IAM OIDC provider for the issuer; creates none, checks no agent", async () => {
    const run = await evaluateClean(adopt({ existingCluster: name, awsMechanism: "irsa" }));
    expectClusterUntouched();
    expect(rec.ofType(T.oidc)).toEqual([]);
    expect(lookups("aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider")).toEqual([
      { url: issuer },
    ]);
    expect(lookups("aws:eks/getAddon:getAddon")).toEqual([]);
    expect(rec.resources.filter((r) => r.parent === rec.one(T.agent).urn)).toEqual([]);
    expect(await valueOf(run.outputs.oidcProviderArn as pulumi.Output<string>)).toBe(providerArn);
    expect(statements(rec.one(T.role, "-binding-role").inputs.assumeRolePolicy)).toEqual(
      statements(JSON.stringify(webIdentityTrustDocument(providerArn, issuer, "demo", "demo"))),
    );
    const role = await valueOf(run.outputs.roleArn as pulumi.Output<string>);
    expect(rec.one(T.sa, "-sa").inputs.metadata.annotations).toEqual({
      "eks.amazonaws.com/role-arn": role,
    });
    expect(rec.ofType(T.association)).toEqual([]);
  });

  test("no IAM OIDC provider: the preview names the cluster, the issuer and the command", async () => {
    const bare = EXISTING_EKS["bare-cluster"].issuer;
    const message = await refusal(
      adopt({ existingCluster: "bare-cluster", awsMechanism: "irsa" }),
      "workload-identity:aws:WebIdentityBinding",
    );
    expect(message).toBe(
      'IRSA on EKS cluster "bare-cluster": the account has no IAM OIDC provider for the ' +
        `cluster's issuer ${bare}; create it with \`aws iam create-open-id-connect-provider ` +
        `--url ${bare} --client-id-list sts.amazonaws.com\` (the stack uses it and never changes it)`,
    );
  });

  test("an IAM OIDC provider without the STS audience is refused with the fix", async () => {
    const arn = `arn:aws:iam::${ACCOUNT}:oidc-provider/${hostOf(EXISTING_EKS["auto-cluster"].issuer)}`;
    const message = await refusal(
      adopt({ existingCluster: "auto-cluster", awsMechanism: "irsa" }),
      "workload-identity:aws:WebIdentityBinding",
    );
    expect(message).toBe(
      `IRSA on EKS cluster "auto-cluster": its IAM OIDC provider ${arn} does not accept the ` +
        "audience sts.amazonaws.com; add it with `aws iam add-client-id-to-open-id-connect-provider " +
        `--open-id-connect-provider-arn ${arn} --client-id sts.amazonaws.com\``,
    );
  });
});

describe("an adopted cluster reading another cloud's storage", () => {
  const name = "team-cluster";
  const { issuer } = EXISTING_EKS[name];

  test("→ GCS: the pool provider trusts the looked-up issuer; no AWS resource at all", async () => {
    await evaluateClean(
      { ...exampleStackConfig("eks-gcs"), [ns("existingCluster")]: name },
      "eks-gcs",
    );
    expect(
      rec.one("gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider").inputs.oidc
        .issuerUri,
    ).toBe(issuer);
    expect(rec.resources.filter((r) => r.custom && r.type.startsWith("aws:"))).toEqual([]);
    expect(lookups("aws:eks/getAddon:getAddon")).toEqual([]);
    expectClusterUntouched();
  });

  test("→ Blob: the federated credential trusts the looked-up issuer; no AWS resource", async () => {
    await evaluateClean(
      { ...exampleStackConfig("eks-blob"), [ns("existingCluster")]: name },
      "eks-blob",
    );
    const credential = rec.one("azure-native:managedidentity:FederatedIdentityCredential");
    expect(credential.inputs.issuer).toBe(issuer);
    expect(credential.inputs.subject).toBe("system:serviceaccount:demo:demo");
    expect(rec.resources.filter((r) => r.custom && r.type.startsWith("aws:"))).toEqual([]);
    expectClusterUntouched();
  });
});

describe("existingCluster names (EKS API CreateCluster `name`)", () => {
  const raw = (existingCluster: string) => ({
    cluster: "eks",
    "aws:region": REGION,
    existingCluster,
  });

  test.each(["a", "0team", "Team_cluster-1", "x".repeat(100)])("accepts %s", (name) => {
    expect(eksClusterNameProblem(name)).toBeUndefined();
    expect(parseConfig(raw(name), "dev").existing).toEqual({ name, installAgent: false });
  });

  test.each(["-team", "_team", "team.cluster", "team cluster", "x".repeat(101)])(
    "refuses %s, naming the key, the value and what is allowed",
    (name) => {
      expect(() => parseConfig(raw(name), "dev")).toThrow(
        `config \`existingCluster\`: ${JSON.stringify(name)} is not an EKS cluster name: 1–100 ` +
          "letters, digits, '-' and '_', starting with a letter or digit",
      );
    },
  );

  test("the message's command is the one that installs the agent", () => {
    expect(createAgentCommand("c", "eu-west-1")).toBe(
      "aws eks create-addon --cluster-name c --addon-name eks-pod-identity-agent --region eu-west-1",
    );
  });
});
