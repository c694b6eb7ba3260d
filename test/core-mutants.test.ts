/**
 * What `npm run mutation` found unchecked, or checked only through whole stacks, in
 * src/core/workloads.ts, src/core/identity.ts and src/k8s/pod.ts (docs/testing.md, "Mutation
 * testing"): the prefix rules every cloud's grant carries out, which workload each denial targets,
 * the names messages give, the ServiceAccount subject and projected tokens, and the exact pod spec
 * (Pod Security "restricted", requests and limits, read-only mounts). Pure functions, no mocks.
 */
import { describe, expect, test } from "vitest";
import {
  denialTarget,
  mayRead,
  mayWrite,
  PROJECTED_TOKEN_SECONDS,
  prefixesOverlap,
  projectedToken,
  serviceAccountSubject,
  shortHash,
  unboundServiceAccount,
  workloadKey,
  workloadLabel,
  type Workload,
} from "../src/core";
import { POD_UID, podVolumes, restrictedPodSpec } from "../src/k8s";

const w = (
  namespace: string,
  serviceAccount: string,
  access: "read" | "write",
  prefix: string,
  name = `wi-${namespace}`,
): Workload => ({ namespace, serviceAccount, access, prefix, name });

describe("the prefix rules", () => {
  test("a workload reads exactly the keys under its prefix; the whole bucket with none", () => {
    const a = w("team-a", "reader", "read", "team-a/");
    expect(mayRead(a, "team-a/hello.txt")).toBe(true);
    expect(mayRead(a, "team-a/")).toBe(true);
    expect(mayRead(a, "team-b/hello.txt")).toBe(false);
    expect(mayRead(a, "hello.txt")).toBe(false);
    expect(mayRead(a, "x/team-a/hello.txt")).toBe(false);
    expect(mayRead(w("all", "reader", "read", ""), "anything/at/all")).toBe(true);
  });

  test("only a writer writes, and only under its prefix", () => {
    const writer = w("team-a", "writer", "write", "team-a/");
    const reader = w("team-a", "reader", "read", "team-a/");
    expect(mayWrite(writer, "team-a/out.txt")).toBe(true);
    expect(mayWrite(writer, "team-b/out.txt")).toBe(false);
    expect(mayWrite(reader, "team-a/out.txt")).toBe(false);
    expect(mayWrite(reader, "team-b/out.txt")).toBe(false);
  });

  test("prefixes overlap when either starts with the other", () => {
    expect(prefixesOverlap("team-a/", "team-a/sub/")).toBe(true);
    expect(prefixesOverlap("team-a/sub/", "team-a/")).toBe(true);
    expect(prefixesOverlap("", "team-b/")).toBe(true);
    expect(prefixesOverlap("team-b/", "")).toBe(true);
    expect(prefixesOverlap("team-a/", "team-b/")).toBe(false);
  });
});

describe("denialTarget", () => {
  const list = [w("a", "sa", "read", "a/"), w("b", "sa", "read", "b/"), w("c", "sa", "read", "c/")];

  test("is the next workload, wrapping around", () => {
    expect(denialTarget(list, 0)).toBe(1);
    expect(denialTarget(list, 1)).toBe(2);
    expect(denialTarget(list, 2)).toBe(0);
  });

  test("skips workloads whose object it may read, and never targets itself", () => {
    const nested = [w("a", "sa", "read", "a/"), w("s", "sa", "read", "a/sub/"), list[2]];
    expect(denialTarget(nested, 0)).toBe(2);
    expect(denialTarget(nested, 1)).toBe(2);
    expect(denialTarget(nested, 2)).toBe(0);
    // The last one reads a/ only, and the next is the first: wrapping must reach it.
    const lastNested = [
      w("s", "sa", "read", "a/sub/"),
      w("t", "sa", "read", "t/"),
      w("a", "sa", "read", "a/"),
    ];
    expect(denialTarget(lastNested, 2)).toBe(1);
  });

  test("is none for a workload that reads the whole bucket, or one alone", () => {
    expect(denialTarget([w("all", "sa", "read", ""), ...list], 0)).toBeUndefined();
    expect(denialTarget([list[0]], 0)).toBeUndefined();
    expect(
      denialTarget([w("a", "sa", "read", "a/"), w("x", "sa", "read", "a/")], 0),
    ).toBeUndefined();
  });
});

describe("names for messages and derived things", () => {
  test("shortHash is the first hex digits of the SHA-256, six by default", () => {
    // sha256("abc") = ba7816bf8f01cfea…
    expect(shortHash("abc")).toBe("ba7816");
    expect(shortHash("abc", 10)).toBe("ba7816bf8f");
  });

  test("workloadLabel is namespace/serviceAccount", () => {
    expect(workloadLabel({ namespace: "team-a", serviceAccount: "reader" })).toBe("team-a/reader");
  });

  test("workloadKey names the plain key for the derived workload, the indexed one otherwise", () => {
    const derived = { prefix: "wi-dev", workloads: [w("default", "app", "read", "", "wi-dev")] };
    expect(workloadKey(derived, 0, "namespace")).toBe("`namespace`");
    const listed = {
      prefix: "wi-dev",
      workloads: [
        w("a", "r", "read", "a/", "wi-dev-111111"),
        w("b", "s", "write", "b/", "wi-dev-222222"),
      ],
    };
    expect(workloadKey(listed, 1, "prefix")).toBe("`workloads[1].prefix` (workload b/s)");
    expect(workloadKey(listed, 0, "access")).toBe("`workloads[0].access` (workload a/r)");
  });
});

describe("the Kubernetes side of the identity", () => {
  test("the subject and the unbound ServiceAccount", () => {
    expect(serviceAccountSubject({ namespace: "team-a", serviceAccount: "reader" })).toBe(
      "system:serviceaccount:team-a:reader",
    );
    expect(unboundServiceAccount("reader")).toBe("reader-unbound");
  });

  test("a projected token lives an hour", () => {
    expect(PROJECTED_TOKEN_SECONDS).toBe(3600);
    expect(projectedToken("aws-token", "sts.amazonaws.com", "/var/run/aws")).toEqual({
      name: "aws-token",
      audience: "sts.amazonaws.com",
      mountPath: "/var/run/aws",
      expirationSeconds: 3600,
    });
  });
});

describe("pods", () => {
  const token = projectedToken("gcp-token", "https://iam.googleapis.com/x", "/var/run/gcp");
  const file = { name: "gcp-cred", mountPath: "/etc/gcp", fileName: "cred.json", content: "{}" };

  test("podVolumes projects each token for its audience and mounts every volume read-only", () => {
    expect(podVolumes([token], [file], "cm-1")).toEqual({
      volumes: [
        {
          name: "gcp-token",
          projected: {
            sources: [
              {
                serviceAccountToken: {
                  audience: "https://iam.googleapis.com/x",
                  expirationSeconds: 3600,
                  path: "token",
                },
              },
            ],
          },
        },
        {
          name: "gcp-cred",
          configMap: { name: "cm-1", items: [{ key: "gcp-cred", path: "cred.json" }] },
        },
      ],
      volumeMounts: [
        { name: "gcp-token", mountPath: "/var/run/gcp", readOnly: true },
        { name: "gcp-cred", mountPath: "/etc/gcp", readOnly: true },
      ],
    });
    expect(podVolumes([], [], undefined)).toEqual({ volumes: [], volumeMounts: [] });
  });

  const base = {
    serviceAccountName: "reader",
    image: "example/cli:1",
    command: ["sh", "-c", "true"],
    env: [{ name: "A", value: "1", extra: "dropped" } as { name: string; value: string }],
    restartPolicy: "Never",
  };
  const expected = (extraMounts: object[], extraVolumes: object[]) => ({
    serviceAccountName: "reader",
    restartPolicy: "Never",
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      fsGroup: 1000,
      seccompProfile: { type: "RuntimeDefault" },
    },
    containers: [
      {
        name: "cli",
        image: "example/cli:1",
        command: ["sh", "-c", "true"],
        env: [{ name: "A", value: "1" }],
        securityContext: {
          allowPrivilegeEscalation: false,
          privileged: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ["ALL"] },
        },
        resources: {
          requests: { cpu: "50m", memory: "128Mi" },
          limits: { cpu: "500m", memory: "768Mi" },
        },
        volumeMounts: [{ name: "tmp", mountPath: "/tmp" }, ...extraMounts],
      },
    ],
    volumes: [{ name: "tmp", emptyDir: { sizeLimit: "256Mi" } }, ...extraVolumes],
  });

  test("restrictedPodSpec is exactly Pod Security restricted, with requests, limits and /tmp", () => {
    expect(POD_UID).toBe(1000);
    expect(restrictedPodSpec(base)).toStrictEqual(expected([], []));
  });

  test("restrictedPodSpec adds the binding's volumes and mounts after /tmp", () => {
    const { volumes, volumeMounts } = podVolumes([token], [], undefined);
    expect(restrictedPodSpec({ ...base, volumes, volumeMounts })).toStrictEqual(
      expected(volumeMounts, volumes),
    );
  });
});
