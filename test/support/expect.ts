/** Assertions every stack's tests make the same way. */
import { expect } from "vitest";
import type { Recorder } from "../../offline/mocks";

/** Pod Security "restricted", as the demo workload sets it on every pod and container. */
export function expectRestrictedPod(spec: any): void {
  expect(spec.securityContext).toEqual({
    runAsNonRoot: true,
    runAsUser: 1000,
    runAsGroup: 1000,
    fsGroup: 1000,
    seccompProfile: { type: "RuntimeDefault" },
  });
  expect(spec.hostNetwork).toBeUndefined();
  expect(spec.containers).toHaveLength(1);
  expect(spec.containers[0].securityContext).toEqual({
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
  });
  expect(spec.volumes.some((v: any) => v.hostPath)).toBe(false);
}

/** Every resource is owned by one of our components and named after it. */
export function expectOwnedAndNamed(rec: Recorder): void {
  for (const r of rec.resources.filter(
    (x) => x.custom && !x.type.startsWith("pulumi:providers:"),
  )) {
    const owner = rec.ancestors(r).find((a) => a.type.startsWith("workload-identity:"));
    expect(owner, `${r.type} ${r.name} has no component parent`).toBeDefined();
    expect(r.name.startsWith(`${owner!.name}-`), `${r.name} not named after ${owner!.name}`).toBe(
      true,
    );
  }
}

/** No two resources share a type and name (they would collide in one stack). */
export function expectUniqueNames(rec: Recorder): void {
  const names = rec.resources.map((r) => `${r.type}::${r.name}`);
  expect(new Set(names).size).toBe(names.length);
}
