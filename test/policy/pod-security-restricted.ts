import { describe, expect, test } from "vitest";
import {
  K8S,
  podSecurityRestricted,
  resourceMessages,
  type PolicyResource,
} from "../../policy/rules";
import { POD_SPEC_PATHS } from "../../policy/readers";
import {
  changed,
  firesOnEveryType,
  one,
  quietOnEveryStack,
  resourcesOf,
  synthetic,
  useStacks,
  VARIANTS,
  WORKLOAD_KINDS,
  type Firing,
} from "../support/policy";

const check = (r: PolicyResource) => resourceMessages(podSecurityRestricted, r);
const SHELL = "kubernetes:apps/v1:Deployment wi-dev-demo-shell";
const VERIFY = "kubernetes:batch/v1:Job wi-dev-demo-verify";
const WORKLOADS = [K8S.deployment, K8S.job];
const ESCALATION = "allowPrivilegeEscalation is unset; set it to false";
const DROP_ALL = 'capabilities.drop is unset; set it to ["ALL"]';

/** A pod spec that meets "restricted". */
const RESTRICTED_POD = {
  securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
  containers: [
    {
      name: "app",
      image: "busybox",
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
    },
  ],
};

/** `podSpec` placed where a workload of `type` keeps its pod spec. */
function workload(type: keyof typeof POD_SPEC_PATHS, podSpec: unknown): Record<string, unknown> {
  const path = POD_SPEC_PATHS[type];
  return path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), podSpec) as Record<
    string,
    unknown
  >;
}

describe("pod-security-restricted", () => {
  useStacks();
  quietOnEveryStack(
    podSecurityRestricted,
    Object.fromEntries(VARIANTS.map((v) => [v.label, WORKLOADS])),
  );
  const shell = () => one(resourcesOf("dev"), K8S.deployment);
  const verify = () => one(resourcesOf("dev"), K8S.job, "-verify");

  test.for(VARIANTS.map((v) => v.label))(
    "fires on every workload of stack %s when it joins the host network",
    (label) => {
      // GKE's metadata-server DaemonSet is read (`DaemonSet.get`), with no inputs to check.
      const workloads = resourcesOf(label).filter(
        (r) => r.type in POD_SPEC_PATHS && Object.keys(r.props).length > 0,
      );
      expect(workloads.length).toBeGreaterThanOrEqual(3);
      for (const w of workloads) {
        const path = POD_SPEC_PATHS[w.type as keyof typeof POD_SPEC_PATHS].join(".");
        const host = changed(w, (p) => {
          let spec = p;
          for (const key of path.split(".")) spec = spec[key];
          spec.hostNetwork = true;
        });
        expect(check(host)).toEqual([
          `${w.type} ${w.name}: ${path}.hostNetwork is true; remove it (restricted pods share no host namespace)`,
        ]);
      }
    },
  );

  test("fires on a hostPath volume", () => {
    let at = -1;
    const hostPath = changed(verify(), (p) => {
      at = p.spec.template.spec.volumes.length;
      p.spec.template.spec.volumes.push({ name: "docker", hostPath: { path: "/var/run" } });
    });
    expect(check(hostPath)).toEqual([
      `${VERIFY}: spec.template.spec.volumes[${at}] ("docker") is a hostPath volume; use an emptyDir, configMap, secret or projected volume`,
    ]);
  });

  test("fires on root: no runAsNonRoot, a container's false over the pod's true, or UID 0", () => {
    const root = changed(verify(), (p) => delete p.spec.template.spec.securityContext.runAsNonRoot);
    expect(check(root)).toEqual([
      `${VERIFY}: spec.template.spec.containers[0].securityContext.runAsNonRoot is unset and spec.template.spec.securityContext.runAsNonRoot is unset; set runAsNonRoot: true on the pod (and no false on a container)`,
    ]);
    const overridden = changed(verify(), (p) => {
      p.spec.template.spec.containers[0].securityContext.runAsNonRoot = false;
    });
    expect(check(overridden)).toEqual([
      `${VERIFY}: spec.template.spec.containers[0].securityContext.runAsNonRoot is false and spec.template.spec.securityContext.runAsNonRoot is true; set runAsNonRoot: true on the pod (and no false on a container)`,
    ]);
    const uid0 = changed(verify(), (p) => {
      p.spec.template.spec.containers[0].securityContext.runAsUser = 0;
    });
    expect(check(uid0)).toEqual([
      `${VERIFY}: spec.template.spec.containers[0].securityContext.runAsUser is 0 (root); set a non-zero UID, e.g. 1000`,
    ]);
    const podUid0 = changed(verify(), (p) => (p.spec.template.spec.securityContext.runAsUser = 0));
    expect(check(podUid0)).toEqual([
      `${VERIFY}: spec.template.spec.securityContext.runAsUser is 0 (root); set a non-zero UID, e.g. 1000`,
    ]);
  });

  test("fires on escalation, privilege, capabilities and seccomp, container by container", () => {
    const loose = changed(shell(), (p) => {
      const ctx = p.spec.template.spec.containers[0].securityContext;
      ctx.allowPrivilegeEscalation = true;
      ctx.privileged = true;
      ctx.capabilities = { add: ["NET_BIND_SERVICE", "SYS_ADMIN"] };
      ctx.seccompProfile = { type: "Unconfined" };
    });
    const c = `${SHELL}: spec.template.spec.containers[0].securityContext`;
    expect(check(loose)).toEqual([
      `${c}.seccompProfile.type is "Unconfined" and spec.template.spec.securityContext.seccompProfile.type is "RuntimeDefault"; set spec.template.spec.securityContext.seccompProfile.type to "RuntimeDefault" (or "Localhost")`,
      `${c}.allowPrivilegeEscalation is true; set it to false`,
      `${c}.privileged is true; remove it`,
      `${c}.capabilities.drop is unset; set it to ["ALL"]`,
      `${c}.capabilities.add is ["NET_BIND_SERVICE","SYS_ADMIN"]; add nothing but NET_BIND_SERVICE`,
    ]);
    const allowed = changed(shell(), (p) => {
      const ctx = p.spec.template.spec.containers[0].securityContext;
      ctx.capabilities.add = ["NET_BIND_SERVICE"];
      ctx.seccompProfile = { type: "Localhost", localhostProfile: "profiles/audit.json" };
    });
    expect(check(allowed)).toEqual([]);
  });

  test("checks init and ephemeral containers", () => {
    const extra = changed(verify(), (p) => {
      p.spec.template.spec.initContainers = [{ name: "setup", image: "busybox" }];
      p.spec.template.spec.ephemeralContainers = [{ name: "debug", image: "busybox" }];
    });
    const i = `${VERIFY}: spec.template.spec.initContainers[0].securityContext`;
    const e = `${VERIFY}: spec.template.spec.ephemeralContainers[0].securityContext`;
    expect(check(extra)).toEqual([
      `${i}.${ESCALATION}`,
      `${i}.${DROP_ALL}`,
      `${e}.${ESCALATION}`,
      `${e}.${DROP_ALL}`,
    ]);
  });

  test("the restricted example is quiet in every workload kind", () => {
    for (const type of WORKLOAD_KINDS) {
      expect(check(synthetic(type, "ok", workload(type, RESTRICTED_POD))), type).toEqual([]);
    }
  });

  const hostIpc = { ...RESTRICTED_POD, hostIPC: true, hostPID: true };
  firesOnEveryType(
    podSecurityRestricted,
    Object.fromEntries(
      WORKLOAD_KINDS.map((type): [string, Firing] => {
        const p = POD_SPEC_PATHS[type].join(".");
        return [
          type,
          {
            props: workload(type, hostIpc),
            messages: [
              `${p}.hostPID is true; remove it (restricted pods share no host namespace)`,
              `${p}.hostIPC is true; remove it (restricted pods share no host namespace)`,
            ],
          },
        ];
      }),
    ),
  );
});
