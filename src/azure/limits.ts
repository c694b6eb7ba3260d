/** Azure limits checked before anything is created. */
import { settingsOf, type StackConfig } from "../core";
import { accountNamePrefixProblem } from "./bucket";

/** The longest AKS issuer: `https://<location>.oic.prod-aks.azure.com/<tenant>/<cluster>/`. */
export function worstCaseAksIssuer(config: StackConfig): string {
  const uuid = "x".repeat(36);
  return `https://${settingsOf(config, "azure").location}.oic.prod-aks.azure.com/${uuid}/${uuid}/`;
}

/** The Blob side's problems: a storage account name the stack's prefix cannot start. */
export function blobProblems(config: StackConfig): string[] {
  const problem = accountNamePrefixProblem(config.prefix);
  return problem
    ? [`stack name ${JSON.stringify(config.stack)} (prefix ${config.prefix}): ${problem}`]
    : [];
}
