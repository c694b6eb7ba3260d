import {
  at,
  containersOf,
  list,
  podSpecOf,
  show,
  strings,
  WORKLOAD_TYPES,
  type WorkloadType,
} from "../readers";
import { forEach, type Check, type ResourceRule } from "../rule";

const ALLOWED_SECCOMP: readonly unknown[] = ["RuntimeDefault", "Localhost"];
const ALLOWED_ADDED_CAPABILITIES: readonly string[] = ["NET_BIND_SERVICE"];

const restricted =
  (type: WorkloadType): Check =>
  (props, report) => {
    const pod = podSpecOf(type, props);
    const { spec, path: p } = pod;
    for (const field of ["hostNetwork", "hostPID", "hostIPC"]) {
      if (at(spec, field) === true) {
        report(`${p}.${field} is true; remove it (restricted pods share no host namespace)`);
      }
    }
    list(at(spec, "volumes")).forEach((v, i) => {
      if (at(v, "hostPath") !== undefined) {
        report(
          `${p}.volumes[${i}] (${show(at(v, "name"))}) is a hostPath volume; use an emptyDir, configMap, secret or projected volume`,
        );
      }
    });
    const podCtx = at(spec, "securityContext");
    if (at(podCtx, "runAsUser") === 0) {
      report(`${p}.securityContext.runAsUser is 0 (root); set a non-zero UID, e.g. 1000`);
    }
    for (const c of containersOf(pod)) {
      const ctx = at(c.value, "securityContext");
      const where = `${c.path}.securityContext`;
      const nonRoot = at(ctx, "runAsNonRoot") ?? at(podCtx, "runAsNonRoot");
      if (nonRoot !== true) {
        report(
          `${where}.runAsNonRoot is ${show(at(ctx, "runAsNonRoot"))} and ${p}.securityContext.runAsNonRoot is ${show(at(podCtx, "runAsNonRoot"))}; set runAsNonRoot: true on the pod (and no false on a container)`,
        );
      }
      if (at(ctx, "runAsUser") === 0) {
        report(`${where}.runAsUser is 0 (root); set a non-zero UID, e.g. 1000`);
      }
      const seccomp = at(ctx, "seccompProfile", "type") ?? at(podCtx, "seccompProfile", "type");
      if (!ALLOWED_SECCOMP.includes(seccomp)) {
        report(
          `${where}.seccompProfile.type is ${show(at(ctx, "seccompProfile", "type"))} and ${p}.securityContext.seccompProfile.type is ${show(at(podCtx, "seccompProfile", "type"))}; set ${p}.securityContext.seccompProfile.type to "RuntimeDefault" (or "Localhost")`,
        );
      }
      if (at(ctx, "allowPrivilegeEscalation") !== false) {
        report(
          `${where}.allowPrivilegeEscalation is ${show(at(ctx, "allowPrivilegeEscalation"))}; set it to false`,
        );
      }
      if (at(ctx, "privileged") === true) {
        report(`${where}.privileged is true; remove it`);
      }
      if (!strings(at(ctx, "capabilities", "drop")).includes("ALL")) {
        report(
          `${where}.capabilities.drop is ${show(at(ctx, "capabilities", "drop"))}; set it to ["ALL"]`,
        );
      }
      const added = strings(at(ctx, "capabilities", "add"));
      if (added.some((cap) => !ALLOWED_ADDED_CAPABILITIES.includes(cap))) {
        report(
          `${where}.capabilities.add is ${show(at(ctx, "capabilities", "add"))}; add nothing but NET_BIND_SERVICE`,
        );
      }
    }
  };

export const podSecurityRestricted: ResourceRule = {
  kind: "resource",
  name: "pod-security-restricted",
  description:
    'Pods meet Pod Security "restricted": non-root, seccomp, no privilege escalation, drop ALL capabilities, not privileged, no host namespaces or hostPath.',
  enforcementLevel: "mandatory",
  mirrors: {
    cis: [
      "Kubernetes v1.10 5.2.2 privileged, 5.2.3 hostPID, 5.2.4 hostIPC, 5.2.5 hostNetwork, 5.2.6 allowPrivilegeEscalation, 5.2.7 root containers, 5.2.8 NET_RAW, 5.2.9 added capabilities, 5.2.10 capabilities assigned, 5.2.12 HostPath volumes, 5.7.2 seccomp",
    ],
    checkov: [
      "CKV_K8S_16",
      "CKV_K8S_17",
      "CKV_K8S_18",
      "CKV_K8S_19",
      "CKV_K8S_20",
      "CKV_K8S_23",
      "CKV_K8S_25",
      "CKV_K8S_28",
      "CKV_K8S_31",
      "CKV_K8S_37",
    ],
    note: "hostPath volumes have no direct Checkov equivalent; nearest CKV_K8S_27 (docker socket).",
  },
  checks: forEach(WORKLOAD_TYPES, restricted),
};
