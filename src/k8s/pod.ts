/** Pods that meet Pod Security "restricted", and the volumes a binding asks them to carry. */
import type * as k8sInputs from "@pulumi/kubernetes/types/input";
import type * as pulumi from "@pulumi/pulumi";
import type { PodEnvVar, PodFile, ProjectedToken } from "../core";

/** The UID/GID the demo pods run as: not root, as Pod Security "restricted" requires. */
export const POD_UID = 1000;

type Volume = k8sInputs.core.v1.Volume;
type VolumeMount = k8sInputs.core.v1.VolumeMount;

/** Volumes and read-only mounts for projected tokens and ConfigMap files. */
export function podVolumes(
  tokens: readonly ProjectedToken[],
  files: readonly PodFile[],
  configMapName: pulumi.Input<string> | undefined,
): { volumes: Volume[]; volumeMounts: VolumeMount[] } {
  const volumes: Volume[] = [
    ...tokens.map((t) => ({
      name: t.name,
      projected: {
        sources: [
          {
            serviceAccountToken: {
              audience: t.audience,
              expirationSeconds: t.expirationSeconds,
              path: "token",
            },
          },
        ],
      },
    })),
    ...files.map((f) => ({
      name: f.name,
      configMap: { name: configMapName, items: [{ key: f.name, path: f.fileName }] },
    })),
  ];
  const volumeMounts: VolumeMount[] = [...tokens, ...files].map((v) => ({
    name: v.name,
    mountPath: v.mountPath,
    readOnly: true,
  }));
  return { volumes, volumeMounts };
}

interface RestrictedPodArgs {
  readonly serviceAccountName: pulumi.Input<string>;
  readonly image: string;
  readonly command: pulumi.Input<string>[];
  readonly env: readonly PodEnvVar[];
  readonly restartPolicy: string;
  /** Extra volumes, beside the writable /tmp. */
  readonly volumes?: readonly Volume[];
  readonly volumeMounts?: readonly VolumeMount[];
}

/** A single-container pod that meets Pod Security "restricted", with requests and limits. */
export function restrictedPodSpec(args: RestrictedPodArgs): k8sInputs.core.v1.PodSpec {
  return {
    serviceAccountName: args.serviceAccountName,
    restartPolicy: args.restartPolicy,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: POD_UID,
      runAsGroup: POD_UID,
      fsGroup: POD_UID,
      seccompProfile: { type: "RuntimeDefault" },
    },
    containers: [
      {
        name: "cli",
        image: args.image,
        command: args.command,
        env: args.env.map(({ name, value }) => ({ name, value })),
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
        volumeMounts: [{ name: "tmp", mountPath: "/tmp" }, ...(args.volumeMounts ?? [])],
      },
    ],
    volumes: [{ name: "tmp", emptyDir: { sizeLimit: "256Mi" } }, ...(args.volumes ?? [])],
  };
}
