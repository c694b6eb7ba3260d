/**
 * Each cloud's folder loads alone: importing `src/aws` loads the AWS SDK (and Kubernetes'), never
 * Google Cloud's or Azure's, so a program that uses one cloud's components pays for that cloud
 * only. Checked on the import graph, as TypeScript emits it: every import that survives
 * compilation (not `import type`, not a list of `type` names only), every `export … from`, and
 * every `require("…")`, followed through our own files to the packages they load. It
 * over-approximates what Node.js loads (an import used only as a type is counted), so a folder
 * that passes here loads no more at run time. (The lint rules forbid the imports; this proves
 * nothing reaches another cloud transitively.)
 */
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { describe, expect, test } from "vitest";
import { ROOT } from "../offline/evaluate";

/** The module specifiers `file` loads at run time. */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const named = clause?.namedBindings;
      const onlyTypes =
        clause?.isTypeOnly === true ||
        (clause !== undefined &&
          clause.name === undefined &&
          named !== undefined &&
          ts.isNamedImports(named) &&
          named.elements.length > 0 &&
          named.elements.every((e) => e.isTypeOnly));
      if (!onlyTypes) found.push(node.moduleSpecifier.text);
    } else if (
      ts.isExportDeclaration(node) &&
      !node.isTypeOnly &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      found.push(node.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === "require" &&
      node.arguments.length === 1 &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      found.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Our file a relative specifier names, as Node.js resolves it for compiled TypeScript. */
function resolveLocal(from: string, specifier: string): string {
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [`${base}.ts`, path.join(base, "index.ts")]) {
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error(`${path.relative(ROOT, from)}: cannot resolve ${specifier}`);
}

/** The @pulumi packages `entry` loads, following our own files transitively. */
function pulumiPackagesOf(entry: string): string[] {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const walk = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const specifier of runtimeImports(file)) {
      if (specifier.startsWith(".")) walk(resolveLocal(file, specifier));
      else if (specifier.startsWith("@pulumi/")) {
        packages.add(specifier.split("/").slice(0, 2).join("/"));
      }
    }
  };
  walk(path.join(ROOT, entry, "index.ts"));
  return [...packages].sort();
}

describe("each folder of src/ loads only its own SDKs", () => {
  test.each([
    ["src/aws", ["@pulumi/aws", "@pulumi/kubernetes", "@pulumi/pulumi"]],
    ["src/gcp", ["@pulumi/gcp", "@pulumi/kubernetes", "@pulumi/pulumi", "@pulumi/random"]],
    [
      "src/azure",
      ["@pulumi/azure-native", "@pulumi/kubernetes", "@pulumi/pulumi", "@pulumi/random"],
    ],
    ["src/k8s", ["@pulumi/kubernetes", "@pulumi/pulumi"]],
    ["src/kind", ["@pulumi/command", "@pulumi/kubernetes", "@pulumi/pulumi", "@pulumi/tls"]],
    ["src/core", ["@pulumi/pulumi"]],
  ])("%s", (folder, expected) => {
    expect(pulumiPackagesOf(folder)).toEqual(expected);
  });

  test("the walk sees what a folder loads: the library entry loads every cloud", () => {
    expect(pulumiPackagesOf("src")).toEqual([
      "@pulumi/aws",
      "@pulumi/azure-native",
      "@pulumi/command",
      "@pulumi/gcp",
      "@pulumi/kubernetes",
      "@pulumi/pulumi",
      "@pulumi/random",
      "@pulumi/tls",
    ]);
  });
});
