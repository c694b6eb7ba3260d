/**
 * The YAML program in docs/package.md, checked against the package's schema the way Pulumi YAML
 * would type-check it: every resource type is a component of the package, every property is one
 * of its inputs with the right type, every required input is set, and every `${resource.output}`
 * names a resource of the program and an output of its component, of the type the input expects.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { beforeAll, describe, expect, test } from "vitest";
import * as pkg from "../pulumi-package";
import { generateSchema } from "./support/package-schema";

const ROOT = path.resolve(__dirname, "..");
const page = fs.readFileSync(path.join(ROOT, "docs/package.md"), "utf8");
const section = page.slice(
  page.indexOf("## YAML"),
  page.indexOf("\n## ", page.indexOf("## YAML") + 1),
);
const block = /```yaml\n([\s\S]*?)```/.exec(section);
const program = parse(block![1]);

let schema: any;
beforeAll(async () => {
  schema = await generateSchema(pkg);
}, 60_000);

/** The schema type of `${name.output}`, or a failure naming what is missing. */
function referenced(ref: string): any {
  const [name, output, ...rest] = ref.split(".");
  expect(rest, ref).toEqual([]);
  const resource = program.resources[name];
  expect(resource, `${ref}: no resource ${name}`).toBeDefined();
  const out = schema.resources[resource.type]?.properties?.[output];
  expect(out, `${ref}: ${resource.type} has no output ${output}`).toBeDefined();
  return out;
}

/** Checks a YAML value against a schema property. */
function check(where: string, value: unknown, prop: any): void {
  const whole = typeof value === "string" ? /^\$\{([^}]+)\}$/.exec(value) : null;
  if (whole) {
    const out = referenced(whole[1]);
    expect({ type: out.type, $ref: out.$ref }, where).toEqual({ type: prop.type, $ref: prop.$ref });
    return;
  }
  switch (prop.type) {
    case "string":
      expect(typeof value, where).toBe("string");
      for (const m of (value as string).matchAll(/\$\{([^}]+)\}/g)) referenced(m[1]);
      return;
    case "boolean":
      expect(typeof value, where).toBe("boolean");
      return;
    case "number":
      expect(typeof value, where).toBe("number");
      return;
    case "object":
      expect(typeof value === "object" && value !== null && !Array.isArray(value), where).toBe(
        true,
      );
      for (const [k, v] of Object.entries(value as object))
        check(`${where}.${k}`, v, prop.additionalProperties);
      return;
    case "array":
      expect(Array.isArray(value), where).toBe(true);
      (value as unknown[]).forEach((v, i) => check(`${where}[${i}]`, v, prop.items));
      return;
    default:
      throw new Error(`${where}: the check does not know ${JSON.stringify(prop)}`);
  }
}

describe("docs/package.md: the YAML program", () => {
  test("adds the package from its folder", () => {
    expect(program.runtime).toBe("yaml");
    expect(program.packages["workload-identity"]).toMatch(/\/pulumi-package$/);
  });

  test("uses the package's components with their inputs, typed, required ones set", () => {
    const resources = Object.entries<any>(program.resources);
    expect(resources.length).toBeGreaterThanOrEqual(4);
    for (const [name, resource] of resources) {
      const component = schema.resources[resource.type];
      expect(component, `${name}: ${resource.type}`).toBeDefined();
      const props = resource.properties ?? {};
      for (const required of component.requiredInputs) {
        expect(props, `${name}: required ${required}`).toHaveProperty(required);
      }
      for (const [key, value] of Object.entries(props)) {
        const input = component.inputProperties[key];
        expect(input, `${name}.${key} is not an input of ${resource.type}`).toBeDefined();
        check(`${name}.${key}`, value, input);
      }
    }
  });

  test("its outputs name outputs of its resources", () => {
    const outputs = Object.values<string>(program.outputs);
    expect(outputs.length).toBeGreaterThan(3);
    for (const value of outputs) referenced(/^\$\{([^}]+)\}$/.exec(value)![1]);
  });

  test("the Python program uses the components and inputs the schema has", () => {
    const python = /```python\n([\s\S]*?)```/.exec(page)![1];
    const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    const calls = [...python.matchAll(/wi\.(\w+)\("[^"]+",?([^)]*)\)/g)];
    expect(calls.length).toBeGreaterThanOrEqual(5);
    for (const [, type, args] of calls) {
      const component = schema.resources[`workload-identity:index:${type}`];
      expect(component, type).toBeDefined();
      const given = [...args.matchAll(/(\w+)=/g)].map((m) => m[1]);
      const inputs = Object.keys(component.inputProperties).map(snake);
      for (const arg of given) expect(inputs, `${type}(${arg}=)`).toContain(arg);
      for (const required of component.requiredInputs.map(snake)) {
        expect(given, `${type}: required ${required}`).toContain(required);
      }
    }
  });
});
