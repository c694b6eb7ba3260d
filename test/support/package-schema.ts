/**
 * The component package's schema, produced the way `pulumi package get-schema pulumi-package` produces
 * it: Pulumi's plugin runner loads `pulumi-package/` (its package.json `main`), collects the component
 * classes the module exports, names the provider after package.json `name`, and serves
 * `ComponentProvider.getSchema` (@pulumi/pulumi cmd/run-plugin/run.js `run`, provider/experimental/
 * provider.js). Here the same steps run in-process, with no CLI and no gRPC.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  ComponentProvider,
  getPulumiComponents,
  type ComponentResourceConstructor,
} from "@pulumi/pulumi/provider/experimental";

export const PACKAGE_DIR = path.resolve(__dirname, "../../pulumi-package");
export const SCHEMA_FILE = path.join(PACKAGE_DIR, "schema.json");

/** The package's manifest: its name and version become the schema's. */
export function packageManifest(): { name: string; version: string; description?: string } {
  return JSON.parse(fs.readFileSync(path.join(PACKAGE_DIR, "package.json"), "utf8"));
}

/** The provider name and namespace run-plugin derives from package.json `name`. */
export function providerIdentity(packageName: string): { name: string; namespace?: string } {
  const matches = /(@.*?\/)?(.+)/.exec(packageName)!;
  const name = matches[2].replace(/[^-a-zA-Z0-9_]/g, "-");
  const namespace = matches[1] ? matches[1].slice(1, -1) : undefined;
  return { name, namespace };
}

const providers = new Map<unknown, ComponentProvider>();

/**
 * The component provider `pulumi package add pulumi-package` would talk to, one per module (it
 * caches its analysis, which takes seconds: the test files of a worker share it).
 */
export function packageProvider(moduleExports: unknown): ComponentProvider {
  let provider = providers.get(moduleExports);
  if (!provider) {
    const components: ComponentResourceConstructor[] = getPulumiComponents(moduleExports);
    const { name, namespace } = providerIdentity(packageManifest().name);
    provider = new ComponentProvider({ name, namespace, dirname: PACKAGE_DIR, components });
    providers.set(moduleExports, provider);
  }
  return provider;
}

/** The schema as the provider generates it, parsed. */
export async function generateSchema(moduleExports: unknown): Promise<any> {
  return JSON.parse(await packageProvider(moduleExports).getSchema());
}

/** The schema file's text: the generated schema, formatted as the repository's prettier does. */
export async function schemaText(schema: unknown): Promise<string> {
  const prettier = await import("prettier");
  const options = (await prettier.resolveConfig(SCHEMA_FILE)) ?? {};
  return prettier.format(JSON.stringify(schema, null, 2), { ...options, parser: "json" });
}
