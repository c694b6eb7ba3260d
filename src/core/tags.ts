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
