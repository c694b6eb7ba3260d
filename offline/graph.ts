/**
 * The resource graph the program registers, read off the recording mocks: a tree by parent, counts
 * by type, and the critical path — the chain of dependencies that bounds how long `pulumi up`
 * takes, with rough creation times per type.
 */
import type { Recorded, Recorder } from "./mocks";

/**
 * Rough creation times in seconds, from experience with each service; estimates for ordering and
 * scale, not promises. Anything not listed counts as a few seconds.
 */
export const TYPICAL_SECONDS: Readonly<Record<string, number>> = {
  "aws:eks/cluster:Cluster": 600,
  "aws:eks/nodeGroup:NodeGroup": 180,
  "aws:eks/addon:Addon": 60,
  "gcp:container/cluster:Cluster": 420,
  "gcp:container/nodePool:NodePool": 180,
  "gcp:projects/service:Service": 30,
  "azure-native:containerservice:ManagedCluster": 360,
  "kubernetes:apps/v1:Deployment": 30,
  "kubernetes:batch/v1:Job": 60,
};
const DEFAULT_SECONDS = 3;

export const seconds = (r: Recorded): number =>
  r.custom ? (TYPICAL_SECONDS[r.type] ?? DEFAULT_SECONDS) : 0;

/** What a resource waits for: its dependencies and the provider it is created through. */
export function waitsFor(rec: Recorder, r: Recorded): Recorded[] {
  const urns = new Set(r.dependencies);
  const provider = rec.providerUrn(r);
  if (provider) urns.add(provider);
  return rec.resources.filter((x) => urns.has(x.urn));
}

export interface CriticalPath {
  readonly seconds: number;
  /** From the first resource created to the last. */
  readonly path: readonly Recorded[];
}

/** The longest chain of waits, weighted by TYPICAL_SECONDS. */
export function criticalPath(rec: Recorder): CriticalPath {
  const memo = new Map<string, CriticalPath>();
  const longest = (r: Recorded, visiting: Set<string>): CriticalPath => {
    const known = memo.get(r.urn);
    if (known) return known;
    if (visiting.has(r.urn)) throw new Error(`dependency cycle through ${r.name}`);
    visiting.add(r.urn);
    let best: CriticalPath = { seconds: 0, path: [] };
    for (const dep of waitsFor(rec, r)) {
      const p = longest(dep, visiting);
      if (
        p.seconds > best.seconds ||
        (p.seconds === best.seconds && p.path.length > best.path.length)
      )
        best = p;
    }
    visiting.delete(r.urn);
    const result = { seconds: best.seconds + seconds(r), path: [...best.path, r] };
    memo.set(r.urn, result);
    return result;
  };
  let best: CriticalPath = { seconds: 0, path: [] };
  for (const r of rec.resources) {
    const p = longest(r, new Set());
    if (p.seconds > best.seconds) best = p;
  }
  return { seconds: best.seconds, path: best.path.filter((r) => r.custom) };
}

/** Counts of custom resources by type, most first. */
export function countsByType(rec: Recorder): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of rec.resources.filter((x) => x.custom)) {
    counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** The resource tree by parent, one line per resource, indented. */
export function tree(rec: Recorder): string[] {
  const children = new Map<string, Recorded[]>();
  for (const r of rec.resources) {
    const list = children.get(r.parent) ?? [];
    list.push(r);
    children.set(r.parent, list);
  }
  const lines: string[] = [];
  const walk = (parent: string, depth: number) => {
    for (const r of children.get(parent) ?? []) {
      lines.push(`${"  ".repeat(depth)}${r.custom ? "" : "▸ "}${r.name}  (${r.type})`);
      walk(r.urn, depth + 1);
    }
  };
  // Roots: resources whose parent was not recorded (the stack itself is not).
  const recorded = new Set(rec.resources.map((r) => r.urn));
  const roots = [...new Set(rec.resources.map((r) => r.parent))].filter((p) => !recorded.has(p));
  for (const root of roots) walk(root, 0);
  return lines;
}
