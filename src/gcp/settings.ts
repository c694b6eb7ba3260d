/**
 * The Google Cloud settings a stack that touches Google Cloud needs (`gcp:project`, `gcp:region`,
 * optionally `gcp:zone`), validated; `reason` says which key made Google Cloud needed.
 */
import { ConfigError, type GcpSettings, type RawConfig } from "../core";

/** What the shipped Google Cloud stack files hold until the user sets a real project. */
export const PLACEHOLDER_PROJECT = "replace-with-your-project-id";

const GCP_PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const GCP_REGION = /^[a-z]+-[a-z]+\d+$/;
const GCP_ZONE = /^([a-z]+-[a-z]+\d+)-[a-z]$/;

export function gcpSettings(raw: RawConfig, reason: string, stack: string): GcpSettings {
  const project = raw["gcp:project"] ?? "";
  if (project === PLACEHOLDER_PROJECT) {
    throw new ConfigError(
      `config \`gcp:project\`: ${JSON.stringify(project)} is a placeholder; set your project's ID with ` +
        `\`pulumi config set gcp:project <your-project-id> --stack ${stack}\``,
    );
  }
  if (!GCP_PROJECT_ID.test(project)) {
    throw new ConfigError(
      `config \`gcp:project\`: required when ${reason}; expected a project ID ` +
        `(6–30 lowercase letters, digits and '-', starting with a letter), got ${JSON.stringify(project)}`,
    );
  }
  const region = raw["gcp:region"] ?? "";
  if (!GCP_REGION.test(region)) {
    throw new ConfigError(
      `config \`gcp:region\`: required when ${reason}; expected a region such as europe-north1, ` +
        `got ${JSON.stringify(region)}`,
    );
  }
  const zone = raw["gcp:zone"];
  if (zone !== undefined) {
    const match = GCP_ZONE.exec(zone);
    if (!match || match[1] !== region) {
      throw new ConfigError(
        `config \`gcp:zone\`: expected a zone in ${region} such as ${region}-a, got ${JSON.stringify(zone)}`,
      );
    }
  }
  return { project, region, ...(zone ? { zone } : {}) };
}
