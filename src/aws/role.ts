import * as iam from "@pulumi/aws/iam";
import type * as pulumi from "@pulumi/pulumi";
import type { Tags } from "../core";

export interface ReaderRoleArgs {
  readonly description: string;
  /** Who may assume the role: the trust policy document. */
  readonly trust: pulumi.Input<string>;
  /** The one policy the role gets. */
  readonly policyArn: pulumi.Input<string>;
  readonly tags: Tags;
}

/**
 * A role with one trust and one policy attached (`<name>-role`, `<name>-read`), for the bindings'
 * children. The attachment is returned too: whatever hands out credentials waits for it.
 */
export function readerRole(
  name: string,
  args: ReaderRoleArgs,
  parent: pulumi.Resource,
): { role: iam.Role; permissions: iam.RolePolicyAttachment } {
  const role = new iam.Role(
    `${name}-role`,
    {
      description: args.description,
      assumeRolePolicy: args.trust,
      maxSessionDuration: 3600,
      tags: args.tags,
    },
    { parent },
  );
  const permissions = new iam.RolePolicyAttachment(
    `${name}-read`,
    { role: role.name, policyArn: args.policyArn },
    { parent },
  );
  return { role, permissions };
}
