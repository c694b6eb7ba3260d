// @ts-check
import tseslint from "typescript-eslint";
import pulumi from "@pulumi/eslint-plugin";
import importX from "eslint-plugin-import-x";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";

// A preview type-checks what the program imports: an SDK's package root costs seconds and
// hundreds of megabytes (npm run bench). Import the submodule instead.
const SDK_ROOTS = [
  "@pulumi/aws",
  "@pulumi/azure-native",
  "@pulumi/gcp",
  "@pulumi/kubernetes",
  "@pulumi/random",
].map((name) => ({
  name,
  message: `import a submodule of ${name} (e.g. ${name}/<service>), not its root`,
}));

/** The clouds' folders and SDKs: a cloud folder loads its own SDK and no other cloud's. */
const CLOUDS = { aws: "@pulumi/aws", gcp: "@pulumi/gcp", azure: "@pulumi/azure-native" };

/**
 * `no-restricted-imports` for the files of one folder of src/: SDK roots never; other folders
 * only through their index (`../core`, never `../core/tags`); and whatever `forbidden` names.
 */
function folderImports(forbidden) {
  return [
    "error",
    {
      paths: SDK_ROOTS,
      patterns: [
        {
          group: ["../*/*", "./*/*", "../../*"],
          message: "import another folder through its index (e.g. ../core), not its files",
        },
        ...forbidden,
      ],
    },
  ];
}

const otherClouds = (cloud) =>
  Object.entries(CLOUDS)
    .filter(([name]) => name !== cloud)
    .map(([name, sdk]) => ({
      group: [sdk, `${sdk}/*`, `../${name}`, `../${name}/*`],
      message: `src/${cloud} loads no other cloud: ${name} belongs in src/${name}`,
    }));
const upward = {
  group: ["../config", "../registry", "../index", "../../*"],
  message: "a folder of src/ does not reach up: the registry and config import it, not the reverse",
};

export default tseslint.config(
  { ignores: ["node_modules/", "bin/", "coverage/", "reports/", ".stryker-tmp/", "**/*.mjs"] },
  {
    files: ["**/*.ts", "**/*.mts"],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { "@pulumi": pulumi },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "@pulumi/no-output-in-template-literal": "error",
      "@pulumi/no-output-instance-in-template-literal": "error",
    },
  },
  {
    // No import cycles in the program. External modules are not followed (they cost a minute).
    files: ["index.ts", "src/**/*.ts"],
    plugins: { "import-x": importX },
    settings: {
      // import-x reads each imported file with these (without them it skips .ts files silently).
      "import-x/resolver-next": [createTypeScriptImportResolver()],
      "import-x/parsers": { "@typescript-eslint/parser": [".ts", ".mts"] },
      "import-x/extensions": [".ts", ".mts", ".js"],
      "import-x/ignore": ["node_modules"],
    },
    rules: { "import-x/no-cycle": ["error", { ignoreExternal: true }] },
  },
  {
    files: ["src/*.ts"],
    rules: { "no-restricted-imports": folderImports([]) },
  },
  {
    files: ["index.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: SDK_ROOTS,
          patterns: [
            { group: ["./src/*/*"], message: "import a folder of src/ through its index" },
          ],
        },
      ],
    },
  },
  ...Object.keys(CLOUDS).map((cloud) => ({
    files: [`src/${cloud}/**/*.ts`],
    rules: { "no-restricted-imports": folderImports([...otherClouds(cloud), upward]) },
  })),
  {
    // The Kubernetes side is cloud-agnostic; the core is the leaf everyone imports.
    files: ["src/k8s/**/*.ts", "src/core/**/*.ts"],
    rules: {
      "no-restricted-imports": folderImports([
        {
          group: Object.entries(CLOUDS).flatMap(([name, sdk]) => [sdk, `${sdk}/*`, `../${name}`]),
          message: "k8s and core know no cloud",
        },
        upward,
      ]),
    },
  },
  {
    files: ["src/core/**/*.ts"],
    rules: {
      "no-restricted-imports": folderImports([
        {
          group: [
            ...Object.values(CLOUDS).flatMap((sdk) => [sdk, `${sdk}/*`]),
            "../*",
            "@pulumi/kubernetes/[a-oq-z]*",
          ],
          message: "core is the leaf: it imports no other folder and no SDK (types of Pulumi only)",
        },
        upward,
      ]),
    },
  },
  {
    // The component package wraps src/ through its folders' indexes only (src/aws, not its files).
    files: ["pulumi-package/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: SDK_ROOTS,
          patterns: [
            { group: ["../src/*/*"], message: "import a folder of src/ through its index" },
          ],
        },
      ],
    },
  },
  {
    // Tests and the offline mocks read recorded inputs, which are untyped by nature.
    files: ["test/**/*.ts", "offline/**/*.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-return": "off",
    },
  },
);
