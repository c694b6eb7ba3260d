/**
 * The Azure settings a stack that touches Azure needs (`azure-native:location`), validated; `reason`
 * says which key made Azure needed.
 */
import { ConfigError, type AzureSettings, type RawConfig } from "../core";

const AZURE_LOCATION = /^[a-z][a-z0-9]+$/;

export function azureSettings(raw: RawConfig, reason: string): AzureSettings {
  const location = raw["azure-native:location"] ?? "";
  if (!AZURE_LOCATION.test(location)) {
    throw new ConfigError(
      `config \`azure-native:location\`: required when ${reason}; expected a location name such as ` +
        `swedencentral, got ${JSON.stringify(location)}`,
    );
  }
  return { location };
}
