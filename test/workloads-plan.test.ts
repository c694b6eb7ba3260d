/**
 * `npm run plan` on stacks with several workloads: the access matrix, and the identity chain with
 * every workload's grant and the condition that confines it.
 */
import { describe, expect, test } from "vitest";
import { EXAMPLE_PROJECT, exampleStackConfig, stackConfig } from "../offline/evaluate";
import { accessMatrix, plan } from "../offline/plan";
import { parseConfig } from "../src/config";

const args = (stack: string) => ({ stack, format: "text" as const, config: {} });
const section = (out: string, title: string): string[] => {
  const lines = out.split("\n");
  const start = lines.findIndex((l) => l.startsWith(title));
  expect(start, title).toBeGreaterThanOrEqual(0);
  return lines.slice(start, lines.indexOf("", start));
};

describe("the access matrix", () => {
  test("eks-teams: each workload its own prefix, the writer read-write, the rest denied", async () => {
    const out = await plan(args("eks-teams"), stackConfig("eks-teams"));
    expect(section(out, "Access matrix")).toEqual([
      "Access matrix (R: read, RW: read, write and delete, denied: refused by the storage service)",
      "  workload (access, prefix)       team-a/hello.txt  team-b/hello.txt  ingest/hello.txt",
      "  team-a/reader (read, team-a/)   R                 denied            denied",
      "  team-b/reader (read, team-b/)   denied            R                 denied",
      "  ingest/writer (write, ingest/)  denied            denied            RW",
    ]);
    expect(section(out, "Proved in the cluster")).toEqual([
      "Proved in the cluster by each workload's Jobs",
      "  team-a/reader: reads team-a/hello.txt; must be refused team-b/hello.txt (team-b/reader's); reader-unbound must be refused its identity",
      "  team-b/reader: reads team-b/hello.txt; must be refused ingest/hello.txt (ingest/writer's); reader-unbound must be refused its identity",
      "  ingest/writer: reads ingest/hello.txt, writes, reads back and deletes ingest/verify-<pod>.txt; must be refused team-a/hello.txt (team-a/reader's); writer-unbound must be refused its identity",
    ]);
    // The chain shows each grant with the condition that confines its listing.
    expect(out).toMatch(
      /permissions +Allow s3:ListBucket on arn:aws:s3:::wi-eks-teams-storage-bucket-<random> when s3:prefix StringLike team-a\/\*/,
    );
  });

  test("a stack without workloads: one reader of the whole bucket, nothing out of its reach", async () => {
    const out = await plan(args("dev"), stackConfig("dev"));
    expect(section(out, "Access matrix").slice(1)).toEqual([
      "  workload (access, prefix)       hello.txt",
      "  demo/demo (read, whole bucket)  R",
    ]);
    expect(out).toContain(
      "  demo/demo: reads hello.txt; no other workload's object is out of its reach; demo-unbound must be refused its identity",
    );
  });

  test("readers sharing a prefix both read it; a whole-bucket reader reads every object", () => {
    const c = parseConfig(
      {
        "aws:region": "eu-north-1",
        workloads: [
          // A whole-bucket reader beside a writer: allowed only within one namespace.
          { namespace: "b", serviceAccount: "all", access: "read", prefix: "" },
          { namespace: "b", serviceAccount: "r", access: "read", prefix: "x/" },
          { namespace: "b", serviceAccount: "w", access: "write", prefix: "x/" },
        ],
      },
      "dev",
    );
    const lines = accessMatrix(c.workloads);
    expect(lines.slice(1, 5)).toEqual([
      "  workload (access, prefix)   hello.txt  x/hello.txt",
      "  b/all (read, whole bucket)  R          R",
      "  b/r (read, x/)              denied     R",
      "  b/w (write, x/)             denied     RW",
    ]);
  });

  test("gke-s3-teams plans with a project given, and shows each role's confinement", async () => {
    const out = await plan(
      args("gke-s3-teams"),
      exampleStackConfig("gke-s3-teams", { "gcp:project": EXAMPLE_PROJECT }),
    );
    for (const prefix of ["team-a/", "team-b/", "ingest/"]) {
      expect(out).toContain(`/${prefix}*`);
    }
    expect(out).toMatch(/Allow s3:DeleteObject, s3:PutObject on \S+\/ingest\/\*/);
  });
});
