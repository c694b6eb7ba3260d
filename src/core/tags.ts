import { PROJECT } from "./kinds";

/** Tags every cloud resource carries; built once and passed explicitly to each child. */
export type Tags = Readonly<Record<string, string>>;

export function baseTags(stack: string): Tags {
  return { project: PROJECT, stack, "managed-by": "pulumi" };
}

/** The base tags plus the component that owns the resource. */
export function componentTags(base: Tags, component: string): Tags {
  return { ...base, component };
}

/**
 * The tags (GCS: labels) of a self-hosted issuer's bucket or account: the component's, and the
 * policy pack's marker (`ISSUER_MARKER` in policy/issuer.ts, which stands alone and repeats it;
 * the pack refuses the kind stacks in test/kind-issuer.test.ts if the two disagree), which lets
 * it, and only a bucket or account holding nothing but the two documents, be publicly readable.
 */
export function issuerTags(base: Tags): Tags {
  return { ...componentTags(base, "issuer"), "workload-identity-purpose": "oidc-issuer" };
}
