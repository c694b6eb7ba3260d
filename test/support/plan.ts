/** What test/plan.test.ts and test/plan-cli.test.ts share. */

/**
 * What `pulumi up` (and so `npm run plan`) prints for a Google Cloud stack file as shipped: the
 * refusal lives in src/config.ts.
 */
export const placeholderRefusal = (stack: string): RegExp =>
  new RegExp(
    '^config `gcp:project`: "replace-with-your-project-id" is a placeholder; set your project\'s ID with ' +
      `\`pulumi config set gcp:project <your-project-id> --stack (<stack>|${stack})\`$`,
  );
