/**
 * Constructing the package's components the way another language's program does: through the
 * component provider's `construct`, with the resource options the provider server rebuilds from
 * the request (@pulumi/pulumi provider/server.js `construct`: `providers[pkg] =
 * createProviderResource(ref)`, a DependencyProviderResource for each provider the program passed).
 */
import * as pulumi from "@pulumi/pulumi";
import type { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import { settle, valueOf, type Recorded, type Recorder } from "../../offline/mocks";

/** A provider of the calling program, as the component provider receives it: by reference. */
export async function providerReference(
  provider: pulumi.ProviderResource,
): Promise<{ ref: string; resource: pulumi.ProviderResource }> {
  const ref = `${await valueOf(provider.urn)}::${await valueOf(provider.id)}`;
  return { ref, resource: new pulumi.DependencyProviderResource(ref) };
}

export interface Constructed {
  readonly urn: string;
  /** The component's outputs, resolved. */
  readonly state: Record<string, any>;
  /** The component as the recorder saw it register. */
  readonly component: Recorded;
}

/** Calls `construct` for `type` and waits for every registration; `rec` is cleared first. */
export async function construct(
  rec: Recorder,
  provider: ComponentProvider,
  name: string,
  type: string,
  inputs: Record<string, unknown>,
  providers: Record<string, pulumi.ProviderResource> = {},
): Promise<Constructed> {
  rec.clear();
  const result = await provider.construct(name, type, inputs, { providers });
  const state: Record<string, any> = {};
  for (const [key, value] of Object.entries(result.state)) {
    state[key] = await valueOf(pulumi.output(value));
  }
  const urn = await valueOf(pulumi.output(result.urn));
  await settle();
  return { urn, state, component: rec.byUrn(urn) };
}

/** Every cloud resource under `component` (custom, not a provider), by type. */
export function customsUnder(rec: Recorder, component: Recorded): Recorded[] {
  return rec.resources.filter(
    (r) =>
      r.custom &&
      !r.type.startsWith("pulumi:providers:") &&
      rec.ancestors(r).some((a) => a.urn === component.urn),
  );
}
