/**
 * What a workload may do, decided from its `access` and `prefix` alone: the intent every cloud's
 * grant must carry out exactly (tests compare each cloud's policies and conditions with it), and
 * which other workload's object each one must be refused (the cross-workload denial).
 */
import { createHash } from "node:crypto";
import { helloKey } from "./hello";
import type { Workload } from "./settings";

/** The first `length` hex digits of `text`'s SHA-256: short, stable names for derived things. */
export function shortHash(text: string, length = 6): string {
  return createHash("sha256").update(text).digest("hex").slice(0, length);
}

/** `namespace/serviceAccount`, as messages and the plan name a workload. */
export function workloadLabel(w: Pick<Workload, "namespace" | "serviceAccount">): string {
  return `${w.namespace}/${w.serviceAccount}`;
}

/** Whether `w` may read the object `key`: it lies under its prefix. */
export function mayRead(w: Pick<Workload, "prefix">, key: string): boolean {
  return key.startsWith(w.prefix);
}

/** Whether `w` may write or delete the object `key`: a writer, under its prefix. */
export function mayWrite(w: Pick<Workload, "prefix" | "access">, key: string): boolean {
  return w.access === "write" && key.startsWith(w.prefix);
}

/** Whether two prefixes share keys: one starts with the other (`""` shares every key). */
export function prefixesOverlap(a: string, b: string): boolean {
  return a.startsWith(b) || b.startsWith(a);
}

/**
 * The workload whose `hello.txt` workload `index` must be refused, for its cross-workload denial:
 * the next one in the list (wrapping around) whose object `index` may not read. None when it may
 * read every other workload's object (it reads the whole bucket, or is alone).
 */
export function denialTarget(workloads: readonly Workload[], index: number): number | undefined {
  const self = workloads[index];
  for (let step = 1; step < workloads.length; step++) {
    const other = (index + step) % workloads.length;
    if (!mayRead(self, helloKey(workloads[other].prefix))) return other;
  }
  return undefined;
}

/**
 * The config key a workload's field came from, for messages: `namespace`/`serviceAccount` for the
 * workload a stack without `workloads` derives from them, else `workloads[<i>].<field>`, followed
 * by the workload's namespace/ServiceAccount so the message names it.
 */
export function workloadKey(
  config: { readonly prefix: string; readonly workloads: readonly Workload[] },
  index: number,
  field: "namespace" | "serviceAccount" | "access" | "prefix",
): string {
  const w = config.workloads[index];
  if (w.name === config.prefix) return `\`${field}\``;
  return `\`workloads[${index}].${field}\` (workload ${workloadLabel(w)})`;
}
