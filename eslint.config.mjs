// @ts-check
import tseslint from "typescript-eslint";
import pulumi from "@pulumi/eslint-plugin";

export default tseslint.config(
  { ignores: ["node_modules/", "bin/", "coverage/", "**/*.mjs"] },
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
    // A preview type-checks what the program imports: an SDK's package root costs seconds and
    // hundreds of megabytes (npm run bench). Import the submodule instead.
    files: ["index.ts", "src/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            "@pulumi/aws",
            "@pulumi/azure-native",
            "@pulumi/gcp",
            "@pulumi/kubernetes",
            "@pulumi/random",
          ].map((name) => ({
            name,
            message: `import a submodule of ${name} (e.g. ${name}/<service>), not its root`,
          })),
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
