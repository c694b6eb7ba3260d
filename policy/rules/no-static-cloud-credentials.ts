import {
  at,
  containersOf,
  isRecord,
  list,
  podSpecOf,
  show,
  WORKLOAD_TYPES,
  type WorkloadType,
} from "../readers";
import { forEach, type Check, type ResourceRule } from "../rule";
import { AWS, GCP, K8S } from "../tokens";

/** Environment variables that carry static cloud credentials. */
export const STATIC_CREDENTIAL_ENV: readonly string[] = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AZURE_CLIENT_SECRET",
  "AZURE_CLIENT_CERTIFICATE_PASSWORD",
  "AZURE_PASSWORD",
  "AZURE_STORAGE_KEY",
  "AZURE_STORAGE_SAS_TOKEN",
];
/** …and any variable named `…CONNECTION_STRING` (Azure storage connection strings carry a key). */
const CONNECTION_STRING_ENV = /CONNECTION_STRING$/;

/** Credential material recognisable in a value, with what to call it. */
const CREDENTIAL_PATTERNS: readonly {
  readonly what: string;
  readonly test: (v: string) => boolean;
}[] = [
  {
    what: "a Google service-account key",
    test: (v) => /"type"\s*:\s*"service_account"/.test(v) && /"private_key"\s*:/.test(v),
  },
  { what: "an AWS access key ID", test: (v) => /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/.test(v) },
  { what: "an AWS secret access key", test: (v) => /aws_secret_access_key\s*[=:]/i.test(v) },
  { what: "an Azure storage account key", test: (v) => /AccountKey=/.test(v) },
  { what: "an Azure shared access signature", test: (v) => /SharedAccessSignature=/.test(v) },
];

function isStaticCredentialName(name: string): boolean {
  const upper = name.toUpperCase();
  return STATIC_CREDENTIAL_ENV.includes(upper) || CONNECTION_STRING_ENV.test(upper);
}

function credentialIn(value: string): string | undefined {
  return CREDENTIAL_PATTERNS.find((p) => p.test(value))?.what;
}

const decodeBase64 = (v: string): string => Buffer.from(v, "base64").toString("utf8");

/** Resources whose whole purpose is to mint a long-lived key, and what to do instead. */
const minted =
  (message: string): Check =>
  (_props, report) =>
    report(message);

const podEnv =
  (type: WorkloadType): Check =>
  (props, report) => {
    for (const c of containersOf(podSpecOf(type, props))) {
      list(at(c.value, "env")).forEach((e, i) => {
        const name = at(e, "name");
        const where = `${c.path}.env[${i}]`;
        if (typeof name === "string" && isStaticCredentialName(name)) {
          report(
            `${where} sets ${name}, a static credential; remove it and let the pod's bound identity supply credentials`,
          );
          return;
        }
        const value = at(e, "value");
        const what = typeof value === "string" ? credentialIn(value) : undefined;
        if (what !== undefined) {
          report(
            `${where} (${show(name)}) holds ${what}; remove it and let the pod's bound identity supply credentials`,
          );
        }
      });
    }
  };

/** The data fields of a Secret or ConfigMap, and which of them hold base64. */
const dataFields =
  (base64Data: boolean): Check =>
  (props, report) => {
    const fields = [
      { field: "data", decode: base64Data },
      { field: "stringData", decode: false },
      { field: "binaryData", decode: true },
    ];
    for (const { field, decode } of fields) {
      const data = props[field];
      if (!isRecord(data)) continue;
      for (const [key, raw] of Object.entries(data)) {
        const where = `${field}[${JSON.stringify(key)}]`;
        if (isStaticCredentialName(key)) {
          report(
            `${where} is a static credential (${key}); delete it and grant the workload's identity instead`,
          );
          continue;
        }
        if (typeof raw !== "string") continue;
        const what = credentialIn(decode ? decodeBase64(raw) : raw);
        if (what !== undefined) {
          report(`${where} holds ${what}; delete it and grant the workload's identity instead`);
        }
      }
    }
  };

export const noStaticCloudCredentials: ResourceRule = {
  kind: "resource",
  name: "no-static-cloud-credentials",
  description:
    "No static cloud credentials in pod env, Secrets or ConfigMaps, and no resource that mints a long-lived key.",
  enforcementLevel: "mandatory",
  mirrors: {
    cis: [
      "Kubernetes v1.10 5.4.1 (nearest: secrets as files, not environment variables)",
      "GCP Foundations v3.0.0 1.4: only GCP-managed service-account keys",
      "AWS Foundations v3.0.0 1.11 (nearest: no access keys at user setup)",
    ],
    checkov: ["CKV_SECRET_2", "CKV_SECRET_3", "CKV_K8S_35"],
  },
  checks: {
    [AWS.accessKey]: minted(
      "creates a long-lived IAM access key; remove it and let pods use EKS Pod Identity or IRSA",
    ),
    [GCP.serviceAccountKey]: minted(
      "creates a downloadable service-account key; remove it and use Workload Identity Federation",
    ),
    [GCP.hmacKey]: minted(
      "creates a Cloud Storage HMAC key; remove it and grant the workload's identity on the bucket",
    ),
    ...forEach(WORKLOAD_TYPES, podEnv),
    // Secret.data is base64 (the Kubernetes API's encoding); ConfigMap.data is plain text.
    [K8S.secret]: dataFields(true),
    [K8S.configMap]: dataFields(false),
  },
};
