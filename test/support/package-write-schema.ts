/**
 * `npm run schema`: writes pulumi-package/schema.json from the component package's sources, through the
 * SDK's component provider (see package-schema.ts). Commit the result: test/package-schema.test.ts
 * fails while the file differs from what the sources generate.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { generateSchema, PACKAGE_DIR, SCHEMA_FILE, schemaText } from "./package-schema";

async function main(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const schema = await generateSchema(require(PACKAGE_DIR));
  fs.writeFileSync(SCHEMA_FILE, await schemaText(schema));
  console.log(
    `${path.relative(process.cwd(), SCHEMA_FILE)}: ${Object.keys(schema.resources).length} components, ${Object.keys(schema.types).length} types`,
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
