/**
 * The AWS settings a stack that touches AWS needs (`aws:region`, `aws:profile`), validated; `reason`
 * says which key made AWS needed (the message names it).
 */
import { ConfigError, type AwsSettings, type RawConfig } from "../core";

const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

export function awsSettings(raw: RawConfig, reason: string): AwsSettings {
  const region = raw["aws:region"] ?? "";
  if (!region) {
    throw new ConfigError(
      `config \`aws:region\`: required when ${reason}, got nothing; ` +
        "set it with `pulumi config set aws:region eu-north-1`",
    );
  }
  if (!AWS_REGION.test(region)) {
    throw new ConfigError(
      `config \`aws:region\`: ${JSON.stringify(region)} is not an AWS region name (e.g. eu-north-1)`,
    );
  }
  const profile = raw["aws:profile"];
  return { region, ...(profile ? { profile } : {}) };
}
