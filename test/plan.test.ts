/**
 * `npm run plan`: the identity chain and graph, offline, from the real program (its `plan()`, in
 * this process; test/plan-cli.test.ts runs the command).
 */
import { describe, expect, test } from "vitest";
import { azureRole } from "../offline/chain";
import {
  EXAMPLE_KUBECONFIG,
  EXAMPLE_PROJECT,
  readStackFile,
  stackConfig,
  stackNames,
} from "../offline/evaluate";
import { type Args, mermaidText, plan } from "../offline/plan";
import { placeholderRefusal } from "./support/plan";

/** The project the other tests give these stacks: their evaluations are the ones plan reads. */
const PROJECT = EXAMPLE_PROJECT;
/**
 * Stack files that ship the placeholder project need a real-looking one to plan; an external
 * cluster's, the kubeconfig its file cannot hold (a secret).
 */
const projectFor = (stack: string): Record<string, string> => ({
  ...(readStackFile(stack)["gcp:project"] ? { "gcp:project": PROJECT } : {}),
  ...(readStackFile(stack)["workload-identity:cluster"] === "external"
    ? { "workload-identity:kubeconfig": EXAMPLE_KUBECONFIG }
    : {}),
});
const args = (
  stack: string,
  format: Args["format"] = "text",
  config: Record<string, string> = projectFor(stack),
): Args => ({ stack, format, config });

/** The identity chain's lines of a text plan, as [step, detail]. */
function chainOf(out: string): [string, string][] {
  const lines = out.split("\n");
  const start = lines.indexOf("Identity chain") + 1;
  const end = lines.indexOf("", start);
  return lines.slice(start, end).map((l) => {
    const m = /^ {2}(\S+(?: \S+)?) {2,}(.*)$/.exec(l);
    expect(m, l).not.toBeNull();
    return [m![1], m![2]];
  });
}

describe("npm run plan", () => {
  test("prints the EKS chain from what the program registers", async () => {
    const out = await plan(args("dev"));
    expect(out).toContain("Stack dev: eks → s3");
    expect(out).toMatch(/token audience +pods\.eks\.amazonaws\.com, injected by EKS Pod Identity/);
    expect(out).toMatch(
      /binding +Pod Identity association demo\/demo → arn:aws:iam::<account>:role\/wi-dev-binding-role-<random>/,
    );
    expect(out).toContain("aws:RequestTag/kubernetes-namespace StringEquals demo");
    expect(out).toMatch(
      /permissions +Allow s3:ListBucket on arn:aws:s3:::wi-dev-storage-bucket-<random>\n/,
    );
    expect(out).toMatch(
      /permissions +Allow s3:GetObject on arn:aws:s3:::wi-dev-storage-bucket-<random>\/\*\n/,
    );
    expect(out).toMatch(/object +s3:\/\/wi-dev-storage-bucket-<random>\/hello.txt in eu-north-1/);
    expect(out).toMatch(/Resources: \d+\n/);
    // The cluster, its nodes and the agent bound the update; the verification comes last.
    expect(out).toMatch(
      /Critical path: about \d+ min[^]*wi-dev-cluster-eks[^]*wi-dev-cluster-nodes[^]*wi-dev-agent-addon[^]*wi-dev-demo-verify/,
    );
  });

  test("follows the stack's config: another ServiceAccount shows in the chain", async () => {
    const out = await plan(args("dev"), {
      "aws:region": "eu-north-1",
      "workload-identity:serviceAccount": "reader",
    });
    expect(out).toContain("Pod Identity association demo/reader");
    expect(out).toContain("namespace demo, ServiceAccount reader");
  });

  test("--config values go over the stack file's, as pulumi up --config would set them", async () => {
    const out = await plan(
      args("dev", "text", { "workload-identity:namespace": "team-a", "aws:region": "us-west-2" }),
    );
    expect(out).toContain("namespace team-a, ServiceAccount demo");
    // The file's other values stay: the cluster is still the file's EKS.
    expect(out).toContain("Stack dev: eks → s3");
    expect(stackConfig("dev", { "aws:region": "us-west-2" })).toEqual({
      ...readStackFile("dev"),
      "aws:region": "us-west-2",
    });
  });

  test("bad config stops it with the message pulumi up prints", async () => {
    await expect(
      plan(args("dev", "text", { "workload-identity:namespace": "default" })),
    ).rejects.toThrow('config `namespace`: "default" is reserved');
  });
});

describe("regions and locations come from the stack's config", () => {
  // The mocks answer from eu-north-1 and swedencentral whatever the config says; the plan must
  // show the stack's own region wherever the cloud puts it in a name.
  test("AWS: the EKS issuer, the cluster ARN in the trust, the cluster and the bucket", async () => {
    const chain = chainOf(await plan(args("dev", "text", { "aws:region": "us-west-2" })));
    const detail = (step: string) => chain.filter(([s]) => s === step).map(([, d]) => d);
    expect(detail("cluster")).toEqual([
      "EKS (aws:eks/cluster:Cluster wi-dev-cluster-eks) in us-west-2",
    ]);
    expect(detail("OIDC issuer")).toEqual([
      "https://oidc.eks.us-west-2.amazonaws.com/id/<cluster id>",
    ]);
    expect(detail("trust")[0]).toContain(
      "aws:RequestTag/eks-cluster-arn StringEquals arn:aws:eks:us-west-2:<account>:cluster/wi-dev-cluster-eks-<random>;",
    );
    expect(detail("object")).toEqual([
      "s3://wi-dev-storage-bucket-<random>/hello.txt in us-west-2",
    ]);
    expect(chain.flat().join("\n")).not.toContain("eu-north-1");
  });

  test("AWS issuer in another cloud's trust: EKS → Cloud Storage", async () => {
    const out = await plan(
      args("eks-gcs", "text", { ...projectFor("eks-gcs"), "aws:region": "ap-southeast-2" }),
    );
    expect(out).toMatch(
      /trust +workload identity pool provider for issuer https:\/\/oidc\.eks\.ap-southeast-2\.amazonaws\.com\/id\/<cluster id>, /,
    );
    expect(chainOf(out).flat().join("\n")).not.toContain("eu-north-1");
  });

  test("Azure: the AKS issuer, the federated credential, the cluster and the account", async () => {
    const chain = chainOf(
      await plan(
        args("aks", "text", { ...readStackFile("aks"), "azure-native:location": "westeurope" }),
      ),
    );
    const text = chain.map(([s, d]) => `${s}: ${d}`).join("\n");
    expect(text).toContain(
      "cluster: AKS (azure-native:containerservice:ManagedCluster wi-aks-cluster-aks) in westeurope",
    );
    expect(text).toContain(
      "OIDC issuer: https://westeurope.oic.prod-aks.azure.com/<tenant>/<cluster id>/\n",
    );
    expect(text).toContain(
      "trust: federated credential: issuer https://westeurope.oic.prod-aks.azure.com/<tenant>/<cluster id>/, subject system:serviceaccount:demo:demo",
    );
    expect(text).toMatch(/object: https:\/\/\S+\/hello\.txt in westeurope$/);
    expect(text).not.toContain("swedencentral");
  });

  test("Google Cloud: the zone in the GKE issuer and the cluster, the region for the bucket", async () => {
    const chain = chainOf(
      await plan(
        args("gke", "text", {
          ...projectFor("gke"),
          "gcp:region": "europe-west4",
          "gcp:zone": "europe-west4-b",
        }),
      ),
    );
    const text = chain.map(([s, d]) => `${s}: ${d}`).join("\n");
    expect(text).toContain(
      "cluster: GKE (gcp:container/cluster:Cluster wi-gke-cluster-gke) in europe-west4-b",
    );
    expect(text).toContain(
      `OIDC issuer: https://container.googleapis.com/v1/projects/${PROJECT}/locations/europe-west4-b/clusters/wi-gke-cluster-gke-<random>\n`,
    );
    expect(text).toMatch(/object: gs:\/\/wi-gke-<random>\/hello\.txt in europe-west4$/);
    expect(text).not.toContain("europe-north1");
  });
});

describe("the trust steps per route", () => {
  /** Which Google pool the chain names: GKE's own, a Workload Identity pool, or none. */
  const POOL: Record<string, "gke" | "federation"> = {
    gke: "gke",
    "gke-existing": "gke",
    "eks-gcs": "federation",
    "aks-gcs": "federation",
    "kind-gcs": "federation",
  };

  test.each(stackNames())("stack %s names the pool its pods' tokens go through", async (stack) => {
    const trust = chainOf(await plan(args(stack)))
      .filter(([s]) => s === "trust")
      .map(([, d]) => d);
    const gkePool = trust.filter((d) => d.startsWith("GKE's workload identity pool"));
    const wifPool = trust.filter((d) => d.startsWith("Workload Identity pool"));
    if (POOL[stack] === "gke") {
      expect(gkePool).toEqual([
        `GKE's workload identity pool ${PROJECT}.svc.id.goog: the metadata server exchanges the pod's token`,
      ]);
      expect(wifPool).toEqual([]);
    } else if (POOL[stack] === "federation") {
      expect(wifPool).toEqual([
        `Workload Identity pool wi-${stack}-<random> of project ${PROJECT}: Google's STS exchanges the pod's token`,
      ]);
      expect(gkePool).toEqual([]);
    } else {
      // gke-s3 and gke-blob keep GKE's pool enabled, but their pods project a token for the
      // other cloud: the metadata server is not in their chain.
      expect(gkePool).toEqual([]);
      expect(wifPool).toEqual([]);
    }
  });

  test.each(["aks", "eks-blob", "gke-blob"])(
    "stack %s shows the Azure role by its name",
    async (stack) => {
      const permissions = chainOf(await plan(args(stack))).filter(([s]) => s === "permissions");
      expect(permissions).toHaveLength(1);
      expect(permissions[0][1]).toMatch(
        /^role Storage Blob Data Reader \(2a2b9908-6ea1-4ae2-8e65-a410df84e7d1\) for principal <identity principal id> on \/subscriptions\/<subscription>\/resourceGroups\/\S+\/blobServices\/default\/containers\/\S+$/,
      );
    },
  );

  test("role names: a full role definition ID or a GUID; an unknown one stays a GUID", () => {
    expect(
      azureRole(
        "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe",
      ),
    ).toBe("Storage Blob Data Contributor (ba92f5b4-2d11-453d-a403-e96b0029c9fe)");
    expect(azureRole("acdd72a7-3385-48ef-bd42-f606fba81ae7")).toBe(
      "Reader (acdd72a7-3385-48ef-bd42-f606fba81ae7)",
    );
    expect(azureRole("00000000-0000-0000-0000-000000000001")).toBe(
      "00000000-0000-0000-0000-000000000001",
    );
  });
});

/**
 * Mermaid's entity codes as Mermaid reads them (`#name;`/`#123;` → the character). Our own reading:
 * mermaid and a DOM are not dependencies, so the renderer itself is not run here.
 */
const NAMED: Record<string, string> = { lt: "<", gt: ">", quot: '"', amp: "&" };
const decodeMermaid = (label: string): string =>
  label.replace(/#(\w+);/g, (code, name: string) =>
    /^\d+$/.test(name) ? String.fromCharCode(Number(name)) : (NAMED[name] ?? code),
  );

describe("--format mermaid", () => {
  test("writes the chain as a flowchart whose labels keep the placeholders", async () => {
    const out = await plan(args("dev", "mermaid"));
    const lines = out.split("\n");
    expect(lines[0]).toBe("flowchart TD");
    expect(lines[2]).toBe(
      '  s0["<b>cluster</b><br/>EKS (aws:eks/cluster:Cluster wi-dev-cluster-eks) in eu-north-1"]',
    );
    expect(lines[3]).toBe(
      '  s1["<b>OIDC issuer</b><br/>https://oidc.eks.eu-north-1.amazonaws.com/id/#lt;cluster id#gt;"]',
    );
    expect(lines[4]).toBe("  s0 --> s1");
    expect(out).toContain(
      "role may be assumed by {#quot;Service#quot;:#quot;pods.eks.amazonaws.com#quot;}",
    );
  });

  test("codes every character Mermaid or its sanitizer would take as markup", () => {
    expect(mermaidText('<a> "b" & #c;')).toBe("#lt;a#gt; #quot;b#quot; #amp; #35;c;");
    expect(decodeMermaid(mermaidText('<a> "b" & #c;'))).toBe('<a> "b" & #c;');
  });

  test.each(stackNames())(
    "stack %s: every label is the text chain's line, with no raw <, > or \"",
    async (stack) => {
      const text = chainOf(await plan(args(stack)));
      const lines = (await plan(args(stack, "mermaid"))).split("\n");
      const nodes = lines.filter((l) => /^ {2}s\d+\[/.test(l));
      expect(nodes).toHaveLength(text.length);
      nodes.forEach((line, i) => {
        const m = /^ {2}s(\d+)\["<b>([^"]*)<\/b><br\/>([^"]*)"\]$/.exec(line);
        expect(m, line).not.toBeNull();
        const [, id, step, detail] = m!;
        expect(Number(id)).toBe(i);
        // Only our own <b> and <br/> are markup; the sanitizer would eat any other tag.
        expect(`${step}${detail}`).not.toMatch(/[<>"]/);
        expect([decodeMermaid(step), decodeMermaid(detail)]).toEqual(text[i]);
      });
      const edges = lines.filter((l) => l.includes("-->"));
      expect(edges).toEqual(text.slice(1).map((_, i) => `  s${i} --> s${i + 1}`));
    },
  );
});

describe("every stack file", () => {
  test.each(stackNames())("prints the chain for stack %s, offline", async (stack) => {
    const out = await plan(args(stack));
    for (const step of [
      "cluster",
      "OIDC issuer",
      "pods",
      "token audience",
      "trust",
      "permissions",
      "object",
    ]) {
      expect(out, step).toMatch(new RegExp(`^  ${step} +\\S`, "m"));
    }
    // No mock value is shown as if it were real.
    expect(out).not.toMatch(/a1b2c3d|123456789012|604875213397/);
  });
});

describe("a Google Cloud stack file as shipped", () => {
  // The refusal lives in src/config.ts; plan shows it as `pulumi up` would, and --config is the
  // way past it without editing the file (test/plan-cli.test.ts runs the command itself).
  const shipped = stackNames().filter(
    (s) => readStackFile(s)["gcp:project"] === "replace-with-your-project-id",
  );

  test("is one of several", () => {
    expect(shipped).toEqual(
      expect.arrayContaining(["gke", "gke-s3", "gke-blob", "eks-gcs", "aks-gcs"]),
    );
  });

  test.each(shipped)("stack %s: the placeholder project is refused", async (stack) => {
    await expect(plan(args(stack, "text", {}))).rejects.toThrow(placeholderRefusal(stack));
  });
});
