/**
 * Previews transpile only; a plain `tsc --noEmit` (npm test, npm run deploy) type-checks. The two
 * live in two files: Pulumi loads tsconfig.pulumi.json (Pulumi.yaml `runtime.options.tsconfig`)
 * and reads `compilerOptions.noCheck` from that file's own text (@pulumi/pulumi cmd/run/run.js,
 * tsutils.js `loadTypeScriptCompilerOptions`: no `extends` resolution) to decide transpile-only.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { ROOT } from "../offline/evaluate";

function readTsconfig(file: string): {
  extends?: string;
  compilerOptions?: Record<string, unknown>;
} {
  const text = fs.readFileSync(path.join(ROOT, file), "utf8");
  return ts.parseConfigFileTextToJson(file, text).config;
}

describe("Node.js", () => {
  test("the tests run on the Node.js major that package.json pins and engines states", () => {
    // @pulumi/pulumi states `engines.node >= 22`; the devDependency `node` puts that Node.js first
    // on the PATH of every npm script (npm test, npm run deploy), so what is stated is what runs.
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    const sdk = JSON.parse(
      fs.readFileSync(path.join(ROOT, "node_modules/@pulumi/pulumi/package.json"), "utf8"),
    );
    expect(pkg.engines.node).toBe(sdk.engines.node);
    const stated = Number(/^>=(\d+)$/.exec(pkg.engines.node)?.[1]);
    const pinned = Number(String(pkg.devDependencies.node).split(".")[0]);
    expect(pinned).toBe(stated);
    expect(Number(process.versions.node.split(".")[0])).toBe(pinned);
  });
});

describe("type-check and fast previews", () => {
  test("a plain type-check with tsconfig.json reports a type error", () => {
    const parsed = ts.getParsedCommandLineOfConfigFile(
      path.join(ROOT, "tsconfig.json"),
      {},
      { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
    );
    if (!parsed) throw new Error("tsconfig.json did not parse");
    const file = path.join(ROOT, "index.ts");
    const host = ts.createCompilerHost(parsed.options);
    const read = host.getSourceFile.bind(host);
    host.getSourceFile = (name, version, ...rest) =>
      name === file
        ? ts.createSourceFile(name, 'export const n: number = "not a number";\n', version)
        : read(name, version, ...rest);
    const program = ts.createProgram([file], parsed.options, host);
    const errors = ts.getPreEmitDiagnostics(program).map((d) => d.code);
    // TS2322: Type 'string' is not assignable to type 'number'.
    expect(errors).toContain(2322);
  });

  test("Pulumi runs the program through tsconfig.pulumi.json, which alone sets noCheck", () => {
    expect(readTsconfig("tsconfig.json").compilerOptions?.noCheck).toBeUndefined();
    expect(readTsconfig("tsconfig.json").compilerOptions?.isolatedModules).toBe(true);
    const pulumiConfig = readTsconfig("tsconfig.pulumi.json");
    expect(pulumiConfig.extends).toBe("./tsconfig.json");
    expect(pulumiConfig.compilerOptions).toEqual({ noCheck: true });
    const project = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
    expect(project.runtime.options.tsconfig).toBe("tsconfig.pulumi.json");
  });

  test("npm test and npm run deploy type-check", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    expect(pkg.scripts.typecheck).toBe("tsc --noEmit");
    expect(pkg.scripts.test.startsWith("npm run typecheck && ")).toBe(true);
    const script = fs.readFileSync(path.join(ROOT, "scripts/stack.sh"), "utf8");
    expect(script).toMatch(
      /if \[ "\$action" = up \]; then\s+[^\n]*\n\s+npm run --silent typecheck/,
    );
  });
});
