import { describe, expect, test } from "vitest";
import {
  AWS,
  GCP,
  K8S,
  noStaticCloudCredentials,
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

const check = (r: PolicyResource) => resourceMessages(noStaticCloudCredentials, r);
const VERIFY = "kubernetes:batch/v1:Job wi-dev-demo-verify";
const FIX = "remove it and let the pod's bound identity supply credentials";
const DELETE = "delete it and grant the workload's identity instead";
const b64 = (s: string) => Buffer.from(s).toString("base64");
const GOOGLE_KEY = JSON.stringify({
  type: "service_account",
  project_id: "p",
  private_key_id: "0",
  private_key: "-----BEGIN PRIVATE KEY-----\nMII...\n-----END PRIVATE KEY-----\n",
});
const ACCOUNT_KEY =
  "DefaultEndpointsProtocol=https;AccountName=acc;AccountKey=bXlrZXk=;EndpointSuffix=core.windows.net";

/** A copy of dev's verify Job with `env` appended to its first container; and where it starts. */
function withEnv(env: unknown[]): { job: PolicyResource; at: number } {
  let at = -1;
  const job = changed(one(resourcesOf("dev"), K8S.job, "-verify"), (p) => {
    const list = (p.spec.template.spec.containers[0].env ??= []);
    at = list.length;
    list.push(...env);
  });
  return { job, at };
}

describe("no-static-cloud-credentials", () => {
  useStacks();
  quietOnEveryStack(noStaticCloudCredentials, {
    ...Object.fromEntries(VARIANTS.map((v) => [v.label, [K8S.deployment, K8S.job]])),
    "eks-gcs": [K8S.deployment, K8S.job, K8S.configMap],
    "aks-gcs": [K8S.deployment, K8S.job, K8S.configMap],
  });

  test("fires on an env variable that carries a static credential, however it is sourced", () => {
    const { job, at } = withEnv([
      { name: "AWS_SECRET_ACCESS_KEY", value: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" },
      {
        name: "AZURE_STORAGE_CONNECTION_STRING",
        valueFrom: { secretKeyRef: { name: "storage", key: "cs" } },
      },
      { name: "azure_client_secret", valueFrom: { secretKeyRef: { name: "sp", key: "s" } } },
    ]);
    const env = `${VERIFY}: spec.template.spec.containers[0].env`;
    expect(check(job)).toEqual([
      `${env}[${at}] sets AWS_SECRET_ACCESS_KEY, a static credential; ${FIX}`,
      `${env}[${at + 1}] sets AZURE_STORAGE_CONNECTION_STRING, a static credential; ${FIX}`,
      `${env}[${at + 2}] sets azure_client_secret, a static credential; ${FIX}`,
    ]);
  });

  test("fires on key material in an innocently named variable", () => {
    const { job, at } = withEnv([
      { name: "SETTINGS", value: "id=AKIAIOSFODNN7EXAMPLE" },
      { name: "SESSION", value: "ASIAIOSFODNN7EXAMPLE" },
      { name: "INI", value: "aws_secret_access_key = wJalrXUtnFEMI" },
      { name: "SAS", value: "SharedAccessSignature=sv=2022-11-02&sig=abc" },
      { name: "HARMLESS", value: "AKIA-not-a-key" },
    ]);
    const env = `${VERIFY}: spec.template.spec.containers[0].env`;
    expect(check(job)).toEqual([
      `${env}[${at}] ("SETTINGS") holds an AWS access key ID; ${FIX}`,
      `${env}[${at + 1}] ("SESSION") holds an AWS access key ID; ${FIX}`,
      `${env}[${at + 2}] ("INI") holds an AWS secret access key; ${FIX}`,
      `${env}[${at + 3}] ("SAS") holds an Azure shared access signature; ${FIX}`,
    ]);
  });

  test.for(["eks-gcs", "aks-gcs"])(
    "fires when the %s stack's credential configuration turns into a key",
    (label) => {
      const files = one(resourcesOf(label), K8S.configMap);
      const [key] = Object.keys(files.props.data as object);
      const keyed = changed(files, (p) => (p.data[key] = GOOGLE_KEY));
      expect(check(keyed)).toEqual([
        `${files.type} ${files.name}: data[${JSON.stringify(key)}] holds a Google service-account key; ${DELETE}`,
      ]);
    },
  );

  test("decodes Secret data and ConfigMap binaryData, reads stringData and ConfigMap data as text", () => {
    const secret = synthetic(K8S.secret, "s", {
      data: { "key.json": b64(GOOGLE_KEY), plain: GOOGLE_KEY },
      stringData: { conn: ACCOUNT_KEY, AWS_ACCESS_KEY_ID: "x" },
    });
    expect(check(secret)).toEqual([
      `kubernetes:core/v1:Secret s: data["key.json"] holds a Google service-account key; ${DELETE}`,
      `kubernetes:core/v1:Secret s: stringData["conn"] holds an Azure storage account key; ${DELETE}`,
      `kubernetes:core/v1:Secret s: stringData["AWS_ACCESS_KEY_ID"] is a static credential (AWS_ACCESS_KEY_ID); ${DELETE}`,
    ]);
    const configMap = synthetic(K8S.configMap, "c", {
      data: { encoded: b64(ACCOUNT_KEY), n: 1 },
      binaryData: { blob: b64(ACCOUNT_KEY) },
    });
    expect(check(configMap)).toEqual([
      `kubernetes:core/v1:ConfigMap c: binaryData["blob"] holds an Azure storage account key; ${DELETE}`,
    ]);
  });

  test("a federated credential configuration (no key in it) is fine", () => {
    const config = synthetic(K8S.configMap, "wi-eks-demo-files", {
      data: {
        "credential-configuration.json": JSON.stringify({
          universe_domain: "googleapis.com",
          type: "external_account",
          audience:
            "//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/pool/providers/eks",
          subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
          token_url: "https://sts.googleapis.com/v1/token",
          credential_source: { file: "/var/run/service-account/token", format: { type: "text" } },
        }),
      },
    });
    expect(check(config)).toEqual([]);
  });

  const envIn = (type: keyof typeof POD_SPEC_PATHS): Firing => {
    const path = POD_SPEC_PATHS[type];
    const pod = { containers: [{ name: "a", env: [{ name: "AZURE_STORAGE_KEY", value: "k" }] }] };
    return {
      props: path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), pod) as Record<
        string,
        unknown
      >,
      messages: [
        `${path.join(".")}.containers[0].env[0] sets AZURE_STORAGE_KEY, a static credential; ${FIX}`,
      ],
    };
  };
  firesOnEveryType(noStaticCloudCredentials, {
    [AWS.accessKey]: {
      props: { user: "ci" },
      messages: [
        "creates a long-lived IAM access key; remove it and let pods use EKS Pod Identity or IRSA",
      ],
    },
    [GCP.serviceAccountKey]: {
      props: { serviceAccountId: "reader" },
      messages: [
        "creates a downloadable service-account key; remove it and use Workload Identity Federation",
      ],
    },
    [GCP.hmacKey]: {
      props: { serviceAccountEmail: "reader@p.iam.gserviceaccount.com" },
      messages: [
        "creates a Cloud Storage HMAC key; remove it and grant the workload's identity on the bucket",
      ],
    },
    ...Object.fromEntries(WORKLOAD_KINDS.map((t) => [t, envIn(t)])),
    [K8S.secret]: {
      props: { data: { "key.json": b64(GOOGLE_KEY) } },
      messages: [`data["key.json"] holds a Google service-account key; ${DELETE}`],
    },
    [K8S.configMap]: {
      props: { data: { connection: ACCOUNT_KEY, AWS_ACCESS_KEY_ID: "unused" } },
      messages: [
        `data["connection"] holds an Azure storage account key; ${DELETE}`,
        `data["AWS_ACCESS_KEY_ID"] is a static credential (AWS_ACCESS_KEY_ID); ${DELETE}`,
      ],
    },
  });
});
