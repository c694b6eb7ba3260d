// Loads the program the way `pulumi preview` does — ts-node with tsconfig.pulumi.json,
// type-checking or not — under mocks for one stack, and prints time and peak memory as JSON.
// Plain JavaScript, so the probe itself adds nothing to what ts-node compiles.
"use strict";
const path = require("node:path");
const started = process.hrtime.bigint();
const root = path.resolve(__dirname, "..");
require("ts-node").register({
  project: path.join(root, "tsconfig.pulumi.json"),
  transpileOnly: process.env.PROBE_TYPECHECK !== "1",
  compilerOptions: { noCheck: process.env.PROBE_TYPECHECK !== "1" },
});
const pulumi = require("@pulumi/pulumi");
const { installMocks, settle } = require("./mocks.ts");
const { exampleStackConfig } = require("./evaluate.ts");
const stack = process.argv[2];
const rec = installMocks(stack);
pulumi.runtime.setAllConfig(exampleStackConfig(stack));
// As Pulumi's runner does (@pulumi/pulumi cmd/run/run.js): a program that exports a function is
// called, and what it returns is the stack outputs.
const program = require(path.join(root, "index.ts"));
if (typeof program === "function") program();
settle().then(() => {
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const peakMb = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stdout.write(
    `${JSON.stringify({ ms: Math.round(ms), peakMb, resources: rec.resources.length })}\n`,
  );
});
