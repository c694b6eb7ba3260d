/**
 * The component package's schema, generated through the SDK's component provider as
 * `pulumi package get-schema pulumi-package` would (test/support/package-schema.ts): every
 * component's type token, its required inputs and outputs, descriptions everywhere, no `Any`; and
 * the committed pulumi-package/schema.json is exactly what the sources generate (`npm run schema`
 * rewrites it), so a change to an Args interface is a visible change in review.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import * as pkg from "../pulumi-package";
import {
  generateSchema,
  packageManifest,
  PACKAGE_DIR,
  providerIdentity,
  SCHEMA_FILE,
  schemaText,
} from "./support/package-schema";

/** The pod outputs every binding has (pulumi-package/pod.ts). */
const POD = ["serviceAccountAnnotations", "podLabels", "env", "projectedTokens", "files"];

/** Each component: its required inputs, its optional inputs, its outputs (all required). */
const COMPONENTS: Record<string, { required: string[]; optional: string[]; outputs: string[] }> = {
  S3Bucket: {
    required: [],
    optional: ["tags"],
    outputs: ["bucketName", "bucketArn", "readPolicyArn", "readPolicyDocument", "objectUrl"],
  },
  PodIdentityS3Binding: {
    required: ["clusterName", "clusterArn", "namespace", "serviceAccount", "policyArn"],
    optional: ["tags"],
    outputs: ["roleArn", "associationId", ...POD],
  },
  IrsaS3Binding: {
    required: ["issuerUrl", "namespace", "serviceAccount", "policyArn"],
    optional: ["existingOidcProvider", "clusterName", "tags"],
    outputs: ["roleArn", "oidcProviderArn", ...POD],
  },
  OidcS3Binding: {
    required: ["issuerUrl", "namespace", "serviceAccount", "policyArn"],
    optional: ["existingOidcProvider", "clusterName", "tags"],
    outputs: ["roleArn", "oidcProviderArn", ...POD],
  },
  GcsBucket: {
    required: ["project", "location", "namePrefix"],
    optional: ["tags"],
    outputs: ["bucketName", "objectUrl", "readRole", "projectNumber"],
  },
  GkeGcsBinding: {
    required: [
      "clusterProject",
      "clusterProjectNumber",
      "namespace",
      "serviceAccount",
      "bucketName",
    ],
    optional: ["role"],
    outputs: ["member", ...POD],
  },
  OidcGcsBinding: {
    required: ["project", "issuerUrl", "namespace", "serviceAccount", "bucketName"],
    optional: ["role", "poolIdPrefix"],
    outputs: ["member", "poolId", "audience", "credentialConfiguration", ...POD],
  },
  BlobContainer: {
    required: ["location", "accountNamePrefix"],
    optional: ["tags"],
    outputs: [
      "resourceGroupName",
      "accountName",
      "containerName",
      "containerId",
      "readRoleDefinitionId",
      "objectUrl",
    ],
  },
  AksBlobBinding: {
    required: [
      "issuerUrl",
      "namespace",
      "serviceAccount",
      "resourceGroupName",
      "location",
      "roleDefinitionId",
      "scope",
    ],
    optional: ["tags"],
    outputs: ["clientId", "tenantId", "principalId", ...POD],
  },
  OidcBlobBinding: {
    required: [
      "issuerUrl",
      "namespace",
      "serviceAccount",
      "resourceGroupName",
      "location",
      "roleDefinitionId",
      "scope",
    ],
    optional: ["tags"],
    outputs: ["clientId", "tenantId", "principalId", ...POD],
  },
};

const token = (component: string) => `workload-identity:index:${component}`;
const sorted = (names: string[]) => [...names].sort();

/** Every property object of the schema (inputs, outputs, type properties, items, map values). */
function* properties(schema: any): Generator<[string, any]> {
  function* walk(where: string, prop: any): Generator<[string, any]> {
    yield [where, prop];
    if (prop.items) yield* walk(`${where}[]`, prop.items);
    if (prop.additionalProperties) yield* walk(`${where}{}`, prop.additionalProperties);
  }
  for (const [t, r] of Object.entries<any>(schema.resources)) {
    for (const [n, p] of Object.entries(r.inputProperties ?? {})) yield* walk(`${t} in ${n}`, p);
    for (const [n, p] of Object.entries(r.properties ?? {})) yield* walk(`${t} out ${n}`, p);
  }
  for (const [t, d] of Object.entries<any>(schema.types)) {
    for (const [n, p] of Object.entries(d.properties ?? {})) yield* walk(`${t}.${n}`, p);
  }
}

let schema: any;
beforeAll(async () => {
  schema = await generateSchema(pkg);
}, 60_000);

describe("the package", () => {
  test("is named and versioned by pulumi-package/package.json, and runs on Node.js", () => {
    const manifest = packageManifest();
    expect(providerIdentity(manifest.name)).toEqual({ name: "workload-identity" });
    expect(schema.name).toBe("workload-identity");
    expect(schema.version).toBe(manifest.version);
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(fs.readFileSync(path.join(PACKAGE_DIR, "PulumiPlugin.yaml"), "utf8")).toMatch(
      /^runtime: nodejs$/m,
    );
    // The plugin runner requires the folder by its path: a sibling file with the folder's name
    // and a .js/.json/.ts extension would be loaded instead (Node's LOAD_AS_FILE comes first).
    for (const ext of [".js", ".json", ".ts", ".node"]) {
      expect(fs.existsSync(`${PACKAGE_DIR}${ext}`), `${PACKAGE_DIR}${ext}`).toBe(false);
    }
  });

  test("its release notes have an entry for its version", () => {
    const notes = fs.readFileSync(path.join(PACKAGE_DIR, "CHANGELOG.md"), "utf8");
    expect(notes).toMatch(
      new RegExp(`^## ${packageManifest().version.replace(/\./g, "\\.")}\\b`, "m"),
    );
  });
});

describe("the schema generated through the component provider", () => {
  test("lists exactly the package's components, by type token", () => {
    expect(sorted(Object.keys(schema.resources))).toEqual(
      sorted(Object.keys(COMPONENTS).map(token)),
    );
    for (const r of Object.values<any>(schema.resources)) {
      expect(r.isComponent).toBe(true);
      expect(r.description?.length).toBeGreaterThan(40);
    }
  });

  test.each(Object.entries(COMPONENTS))("%s: inputs, required inputs and outputs", (name, spec) => {
    const r = schema.resources[token(name)];
    expect(sorted(r.requiredInputs)).toEqual(sorted(spec.required));
    expect(sorted(Object.keys(r.inputProperties))).toEqual(
      sorted([...spec.required, ...spec.optional]),
    );
    expect(sorted(Object.keys(r.properties))).toEqual(sorted(spec.outputs));
    expect(sorted(r.required)).toEqual(sorted(spec.outputs));
    for (const [n, p] of [
      ...Object.entries<any>(r.inputProperties),
      ...Object.entries<any>(r.properties),
    ]) {
      expect(p.description?.trim().length, `${name}.${n}`).toBeGreaterThan(3);
    }
  });

  test("a binding's pod outputs are typed lists and maps of strings", () => {
    const r = schema.resources[token("OidcS3Binding")].properties;
    expect(r.serviceAccountAnnotations).toMatchObject({
      type: "object",
      additionalProperties: { type: "string" },
    });
    expect(r.podLabels).toMatchObject({ type: "object", additionalProperties: { type: "string" } });
    expect(r.env.items).toEqual({ $ref: `#/types/${token("PodEnvVariable")}` });
    expect(r.projectedTokens.items).toEqual({ $ref: `#/types/${token("PodProjectedToken")}` });
    expect(r.files.items).toEqual({ $ref: `#/types/${token("PodConfigFile")}` });
    const t = (n: string) => schema.types[token(n)];
    expect(sorted(t("PodEnvVariable").required)).toEqual(["name", "value"]);
    expect(t("PodProjectedToken").properties.expirationSeconds.type).toBe("number");
    expect(sorted(t("PodProjectedToken").required)).toEqual(
      sorted(["volumeName", "audience", "mountPath", "path", "expirationSeconds"]),
    );
    expect(sorted(t("PodConfigFile").required)).toEqual(
      sorted(["volumeName", "mountPath", "fileName", "content"]),
    );
  });

  test("Kubernetes names and whatever decides what exists are plain; values from resources are inputs", () => {
    const r = schema.resources[token("IrsaS3Binding")].inputProperties;
    expect(r.namespace.plain).toBe(true);
    expect(r.serviceAccount.plain).toBe(true);
    expect(r.existingOidcProvider).toMatchObject({ type: "boolean", plain: true });
    expect(r.issuerUrl.plain).toBeUndefined();
    expect(r.policyArn.plain).toBeUndefined();
  });

  test("no property falls back to Any, has no type, or refers to a type that does not exist", () => {
    let seen = 0;
    for (const [where, p] of properties(schema)) {
      seen++;
      expect(p.$ref, where).not.toBe("pulumi.json#/Any");
      expect(p.type !== undefined || p.$ref !== undefined, where).toBe(true);
      if (p.$ref) {
        expect(p.$ref, where).toMatch(/^#\/types\//);
        expect(schema.types[p.$ref.slice("#/types/".length)], where).toBeDefined();
      }
      if (!where.endsWith("[]") && !where.endsWith("{}")) {
        expect(p.description?.length, where).toBeGreaterThan(3);
      }
    }
    expect(seen).toBeGreaterThan(100);
    expect(JSON.stringify(schema)).not.toContain("pulumi.json#/Any");
  });
});

describe("pulumi-package/schema.json", () => {
  test("is what the sources generate (npm run schema rewrites it)", async () => {
    const committed = fs.readFileSync(SCHEMA_FILE, "utf8");
    expect(JSON.parse(committed), "run `npm run schema` and commit the result").toEqual(schema);
    expect(committed).toBe(await schemaText(schema));
  });
});
