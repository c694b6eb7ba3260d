/**
 * The scaling benchmark of `npm run bench` (issue 14): 1, 10 and 50 workloads on one stack. The
 * resource count must grow exactly linearly (a fixed set per workload, nothing per pair of
 * workloads), and the evaluation time no worse than linearly, with slack for a shared machine.
 */
import { expect, test } from "vitest";
import { generatedWorkloads, measureScaling } from "../offline/bench";
import { parseConfig } from "../src/config";

test("the generated workloads are a valid config: disjoint prefixes, every fifth a writer", () => {
  const c = parseConfig({ "aws:region": "eu-north-1", workloads: generatedWorkloads(50) }, "dev");
  expect(c.workloads).toHaveLength(50);
  expect(c.workloads.filter((w) => w.access === "write")).toHaveLength(10);
});

test("1, 10, 50 workloads: resources grow linearly, evaluation time no worse than linearly", async () => {
  const [one, ten, fifty] = await measureScaling("dev", [1, 10, 50], 1);
  expect([one.workloads, ten.workloads, fifty.workloads]).toEqual([1, 10, 50]);
  // A fixed number of resources per workload: its role, policy, attachment, association, hello
  // object, namespace, ServiceAccounts and Jobs; nothing that grows with the others. (A lone
  // workload has no cross-workload denial Job: one resource fewer.)
  const perWorkload = (fifty.resources - ten.resources) / 40;
  expect(perWorkload).toBe(12);
  expect(ten.resources).toBe(one.resources + 9 * perWorkload + 1);
  // Time per workload at 50 at most 3 times that at 10 (quadratic growth would be 5 times), with
  // a floor for timer noise.
  const at10 = Math.max(ten.evaluationMs / 10, 20);
  expect(fifty.evaluationMs / 50).toBeLessThanOrEqual(3 * at10);
}, 120_000);
