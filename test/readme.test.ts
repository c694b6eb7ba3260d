/**
 * Keeps the README and the pages under docs/ true: their commands are the ones CI, npm and the
 * stack scripts provide; every stack they name exists and is the pair the README's table says;
 * every relative link and every repository path resolves; every page is linked from the README;
 * no first-person history. docs.test.ts checks the pages' tables against what the program does.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import type { ClusterKind, StorageKind } from "../src/core";
import { CLUSTERS, SUPPORTED_PAIRS } from "../src/registry";
import { readStackFile, ROOT, stackNames } from "../offline/evaluate";

const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");
const readme = read("README.md");
const pkg = JSON.parse(read("package.json"));
/** Every page under docs/, as a repository path. */
const pages = fs
  .readdirSync(path.join(ROOT, "docs"))
  .filter((f) => f.endsWith(".md"))
  .map((f) => `docs/${f}`)
  .sort();
const documents = ["README.md", ...pages];
const all = documents.map(read).join("\n");

/** The text without fenced code blocks: links and headings live outside them. */
function prose(markdown: string): string {
  return markdown.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, "");
}

/** The first ```bash block after a line containing `marker`. */
function blockAfter(marker: string): string {
  const at = readme.indexOf(marker);
  expect(at, `README has no "${marker}"`).toBeGreaterThanOrEqual(0);
  const m = /```bash\n([\s\S]*?)```/.exec(readme.slice(at));
  expect(m, `no bash block after "${marker}"`).not.toBeNull();
  return m![1].trim();
}

/** The anchors GitHub gives a page's headings (github-slugger: punctuation dropped, spaces → '-'). */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of prose(markdown).matchAll(/^#{1,6} +(.+?) *#*$/gm)) {
    const base = m[1]
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\s_-]/gu, "")
      .replace(/ /g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** Relative links `[text](target)` of a document, outside code blocks. */
function relativeLinks(markdown: string): string[] {
  return [...prose(markdown).matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1])
    .filter((t) => !/^[a-z]+:/i.test(t));
}

describe("README", () => {
  test("the test command is exactly what CI runs", () => {
    const testCommand = blockAfter("Run the tests");
    expect(testCommand).toBe("npm ci && npm test");
    const ci = read(".ci/run").trim().split("\n");
    expect(ci.at(-1)).toBe(testCommand);
  });

  test("the deploy command deploys the dev stack, EKS Pod Identity → S3 in eu-north-1", () => {
    expect(blockAfter("Deploy the dev stack")).toBe("npm ci && npm run deploy -- --stack dev");
    expect(pkg.scripts.deploy).toBe("bash scripts/stack.sh up");
    const dev = readStackFile("dev");
    expect(dev["workload-identity:cluster"]).toBe("eks");
    expect(dev["workload-identity:storage"] ?? "").toBe("");
    expect(dev["workload-identity:awsMechanism"]).toBeUndefined();
    expect(dev["aws:region"]).toBe("eu-north-1");
  });

  test("the quick start plans the dev stack offline", () => {
    expect(blockAfter("Quick start")).toBe("npm ci && npm run plan -- --stack dev");
  });

  test("its pair table names, in each cell, the stack file of exactly that pair", () => {
    const at = readme.indexOf("## Fifteen cluster × storage pairs");
    expect(at).toBeGreaterThanOrEqual(0);
    const rows = readme
      .slice(at)
      .split("\n")
      .filter((l) => l.startsWith("|"));
    const header = rows[0].split("|").slice(2, -1);
    const storages = header.map((h): StorageKind => {
      if (h.includes("S3")) return "s3";
      if (h.includes("Cloud Storage")) return "gcs";
      if (h.includes("Blob")) return "blob";
      throw new Error(`unknown storage column ${h}`);
    });
    expect(storages).toEqual(["s3", "gcs", "blob"]);
    const named: string[] = [];
    for (const row of rows.slice(2)) {
      const [label, ...cells] = row.split("|").slice(1, -1);
      const cluster = /\*\*(EKS|GKE|AKS|External|Kind)\*\*/
        .exec(label)?.[1]
        .toLowerCase() as ClusterKind;
      expect(cluster, row).toBeDefined();
      cells.forEach((cell, i) => {
        const stacks = [...cell.matchAll(/`([a-z0-9-]+)`/g)].map((m) => m[1]);
        expect(stacks.length, `${cluster}→${storages[i]}`).toBe(1);
        const file = readStackFile(stacks[0]);
        // A cell may name a stack file with its storage set over it (`external-s3`, `storage: gcs`).
        const storage = /`storage: ([a-z0-9]+)`/.exec(cell)?.[1];
        const c = (file["workload-identity:cluster"] ?? "eks") as ClusterKind;
        const s = storage ?? (file["workload-identity:storage"] || CLUSTERS[c].nativeStorage);
        expect(`${stacks[0]}: ${c}→${s}`).toBe(`${stacks[0]}: ${cluster}→${storages[i]}`);
        named.push(stacks[0]);
      });
    }
    // Every stack file is in the table, but those that adopt a cluster (the paragraph below) and
    // those that bind several workloads (named with their page, below).
    const adopted = stackNames().filter(
      (s) =>
        readStackFile(s)["workload-identity:existingCluster"] ||
        readStackFile(s)["workload-identity:workloads"],
    );
    expect([...new Set(named)].sort()).toEqual(stackNames().filter((s) => !adopted.includes(s)));
    // Every supported pair has its cell.
    expect(named).toHaveLength(SUPPORTED_PAIRS.length);
  });

  test("names every stack that adopts a cluster, with the cluster kind it adopts", () => {
    const at = readme.indexOf("**Adopt a cluster you already run.**");
    expect(at).toBeGreaterThanOrEqual(0);
    const paragraph = readme.slice(at, readme.indexOf("\n\n", at));
    const named = [...paragraph.matchAll(/`([a-z0-9-]+-existing)`/g)].map((m) => m[1]).sort();
    const adopted = stackNames().filter(
      (s) => readStackFile(s)["workload-identity:existingCluster"],
    );
    expect(named).toEqual(adopted);
    for (const stack of adopted) {
      const kind = readStackFile(stack)["workload-identity:cluster"] ?? "eks";
      expect(stack.startsWith(`${kind}-`), stack).toBe(true);
    }
  });

  test("names every stack that binds several workloads, beside the link to their page", () => {
    const line = readme.split("\n").findIndex((l) => l.includes("(docs/workloads.md)"));
    expect(line).toBeGreaterThanOrEqual(0);
    const item = readme
      .split("\n")
      .slice(line, line + 3)
      .join(" ");
    const named = [...item.matchAll(/`([a-z0-9-]+)`/g)].map((m) => m[1]).sort();
    const many = stackNames().filter((s) => readStackFile(s)["workload-identity:workloads"]);
    expect(many.length).toBeGreaterThanOrEqual(2);
    expect(named).toEqual(many.sort());
  });

  test("links every page under docs/", () => {
    expect(pages.length).toBeGreaterThan(5);
    const linked = new Set(relativeLinks(readme).map((l) => path.normalize(l.split("#")[0])));
    for (const page of pages) expect(linked, page).toContain(page);
  });

  test("stays short enough to read in five minutes", () => {
    expect(readme.split("\n").length).toBeLessThanOrEqual(120);
  });
});

describe("README and docs/", () => {
  test("every npm script they mention exists", () => {
    const used = [...all.matchAll(/npm run ([a-z:]+)/g)].map((m) => m[1]);
    expect(used.length).toBeGreaterThan(10);
    for (const s of used) expect(pkg.scripts[s], `npm run ${s}`).toBeDefined();
  });

  test("every stack they name (--stack <name>, -s <name>, -- <name>) has a stack file", () => {
    const named = [
      ...all.matchAll(/--stack[= ]([a-z0-9][a-z0-9-]*)/g),
      ...all.matchAll(/(?:^|\s)-s ([a-z0-9][a-z0-9-]*)/gm),
      ...all.matchAll(/npm run [a-z]+ -- ([a-z0-9][a-z0-9-]*)/g),
    ].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(10);
    for (const s of named) expect(stackNames(), s).toContain(s);
  });

  test("every relative link points to an existing file and heading", () => {
    for (const doc of documents) {
      const links = relativeLinks(read(doc));
      for (const link of links) {
        const [target, anchor] = link.split("#");
        const file = target === "" ? doc : path.normalize(path.join(path.dirname(doc), target));
        expect(fs.existsSync(path.join(ROOT, file)), `${doc}: ${link}`).toBe(true);
        if (anchor !== undefined) {
          expect(file.endsWith(".md"), `${doc}: ${link}`).toBe(true);
          expect(anchors(read(file)), `${doc}: ${link}`).toContain(anchor);
        }
      }
    }
  });

  test("every repository path they name exists", () => {
    const roots = /^(?:src|test|policy|offline|scripts|docs|\.ci)\/|^[\w.-]+\.(?:ts|json|yaml|sh)$/;
    const paths = [...all.matchAll(/`([^`\s]+)`/g)]
      .map((m) => m[1])
      .filter((p) => roots.test(p) && !/[<>*…]/.test(p));
    expect(paths.length).toBeGreaterThan(10);
    for (const p of paths) expect(fs.existsSync(path.join(ROOT, p)), p).toBe(true);
  });

  test("no first-person history", () => {
    for (const doc of documents) {
      const text = read(doc);
      expect(text, doc).not.toMatch(/(^|[^\w'-])I('m|'ve|'d|'ll)?(?=[\s,.;:!?)]|$)/m);
      expect(text, doc).not.toMatch(/(^|[^\w'-])(my|mine|myself|we|our|ours)(?![\w'-])/im);
    }
  });
});
