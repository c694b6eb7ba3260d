import type { Tags } from "../core";

/** Google Cloud label keys and values: at most 63 lowercase letters, digits, '_' and '-'. */
const MAX_LABEL_LENGTH = 63;
const LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;

/**
 * The house tags as Google Cloud labels. Keys must start with a lowercase letter; values may be
 * empty. Upper case becomes lower case and anything else outside `[a-z0-9_-]` becomes `-`, so a
 * stack named `Team.A` is labelled `team-a` instead of being refused by the API.
 */
export function gcpLabels(tags: Tags): Record<string, string> {
  return Object.fromEntries(
    Object.entries(tags).map(([key, value]) => {
      const k = labelValue(key);
      if (!LABEL_KEY.test(k)) {
        throw new Error(
          `label key ${JSON.stringify(key)}: Google Cloud label keys must start with a lowercase letter`,
        );
      }
      return [k, labelValue(value)];
    }),
  );
}

function labelValue(value: string): string {
  return value
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, "-")
    .slice(0, MAX_LABEL_LENGTH);
}
