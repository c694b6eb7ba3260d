/** Azure limits checked before anything is created. */
import type { StackConfig } from "../core";
import { accountNamePrefixProblem } from "./bucket";

/** The longest AKS issuer: `https://<location>.oic.prod-aks.azure.com/<tenant>/<cluster>/`. */
export function worstCaseAksIssuer(config: StackConfig): string {
  const x = (n: number) => "x".repeat(n);
  return `https://${config.azure?.location ?? x(20)}.oic.prod-aks.azure.com/${x(36)}/${x(36)}/`;
}

/** The Blob side's problems: a storage account name the stack's prefix cannot start. */
export function blobProblems(config: StackConfig): string[] {
  const problem = accountNamePrefixProblem(config.prefix);
  return problem
    ? [`stack name ${JSON.stringify(config.stack)} (prefix ${config.prefix}): ${problem}`]
    : [];
}
