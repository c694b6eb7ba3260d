/**
 * The dev stack (EKS Pod Identity → S3) under mocks, its second half: the binding, the demo
 * workload and the denial it proves, the outputs, and config flowing through (test/aws.test.ts
 * holds the components, the cluster, the agent and the bucket; both read one evaluation).
 *
 * What this cannot prove: that AWS accepts these inputs (no provider validation runs under mocks),
 * that the Pod Identity webhook injects credentials, or that IAM propagates in time; the
 * verification Job proves those on a real `pulumi up`.
 */
import { expectRestrictedPod } from "./support/expect";
import { describe, expect, test } from "vitest";
import { evaluate } from "../offline/evaluate";
import { statements } from "../offline/iam";
import { ACCOUNT, isSecret, valueOf } from "../offline/mocks";
import { AWS_CLI_IMAGE } from "../src/aws";
import {
  bindingRole,
  EKS_NAME,
  evaluateDev,
  podTemplates,
  rec,
  run,
  T,
  useDev,
} from "./support/aws-dev";
useDev();

describe("IdentityBinding", () => {
  test("trust: only EKS Pod Identity, only this cluster's demo/demo pods", () => {
    expect(statements(bindingRole().inputs.assumeRolePolicy)).toEqual([
      {
        Sid: "EksPodIdentity",
        Effect: "Allow",
        Principal: { Service: "pods.eks.amazonaws.com" },
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Resource: [],
        Condition: {
          StringEquals: {
            "aws:RequestTag/eks-cluster-arn": `arn:aws:eks:eu-north-1:${ACCOUNT}:cluster/${EKS_NAME}`,
            "aws:RequestTag/kubernetes-namespace": "demo",
            "aws:RequestTag/kubernetes-service-account": "demo",
          },
        },
      },
    ]);
  });

  test("the role gets the bucket's read policy and nothing else: no AWS-managed policy", () => {
    const role = bindingRole();
    const attached = rec.ofType(T.attachment).filter((a) => a.dependencies.includes(role.urn));
    expect(attached.map((a) => a.inputs.policyArn)).toEqual([
      `arn:aws:iam::${ACCOUNT}:policy/wi-dev-storage-read-a1b2c3d`,
    ]);
    expect(role.inputs.managedPolicyArns).toBeUndefined();
    expect(role.inputs.inlinePolicies).toBeUndefined();
  });

  test("the association names our cluster, the role, and exactly the pods' namespace/ServiceAccount", () => {
    const assoc = rec.one(T.association);
    const sa = rec.one(T.sa, "-sa");
    expect(assoc.inputs.clusterName).toBe(EKS_NAME);
    expect(assoc.inputs.roleArn).toBe(`arn:aws:iam::${ACCOUNT}:role/wi-dev-binding-role-a1b2c3d`);
    expect(assoc.inputs.namespace).toBe(sa.inputs.metadata.namespace);
    expect(assoc.inputs.serviceAccount).toBe(sa.inputs.metadata.name);
    expect(assoc.inputs.disableSessionTags).toBeUndefined();
    for (const t of podTemplates()) {
      expect(t.spec.serviceAccountName).toBe(assoc.inputs.serviceAccount);
    }
    for (const r of [rec.one(T.deployment), rec.one(T.job, "-verify")]) {
      expect(r.inputs.metadata.namespace).toBe(assoc.inputs.namespace);
    }
  });

  test("the association waits until the role can read", () => {
    const assoc = rec.one(T.association);
    const attachment = rec.ofType(T.attachment).find((a) => a.name === "wi-dev-binding-read")!;
    expect(assoc.dependencies).toContain(attachment.urn);
  });
});

describe("DemoWorkload", () => {
  test("its own namespace under Pod Security restricted, an explicitly named ServiceAccount", () => {
    const ns = rec.one(T.ns);
    expect(ns.inputs.metadata.name).toBe("demo");
    expect(ns.inputs.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    const sa = rec.one(T.sa, "-sa");
    expect(sa.inputs.metadata).toMatchObject({ name: "demo", namespace: "demo" });
    // Pod Identity needs no annotation; an IRSA one would take precedence and break it.
    expect(sa.inputs.metadata.annotations ?? {}).toEqual({});
  });

  test("the ServiceAccount and both pods are created after the association and the agent", () => {
    const assoc = rec.one(T.association);
    const addon = rec.one(T.addon);
    for (const r of [rec.one(T.sa, "-sa"), rec.one(T.deployment), rec.one(T.job, "-verify")]) {
      expect(rec.dependsOn(r, assoc), `${r.name} → association`).toBe(true);
      expect(rec.dependsOn(r, addon), `${r.name} → agent`).toBe(true);
    }
  });

  test.each([0, 1])("pod %i meets Pod Security restricted and sets requests and limits", (i) => {
    const spec = podTemplates()[i].spec;
    expectRestrictedPod(spec);
    expect(spec.hostNetwork).toBeUndefined();
    expect(spec.containers).toHaveLength(1);
    const [c] = spec.containers;
    expect(c.resources.requests).toEqual({ cpu: "50m", memory: "128Mi" });
    expect(c.resources.limits).toEqual({ cpu: "500m", memory: "768Mi" });
    // HOME on a writable emptyDir: the root filesystem is read-only and the UID is not root's.
    expect(c.env).toContainEqual({ name: "HOME", value: "/tmp" });
    expect(c.volumeMounts).toEqual([{ name: "tmp", mountPath: "/tmp" }]);
    expect(spec.volumes).toEqual([{ name: "tmp", emptyDir: { sizeLimit: "256Mi" } }]);
    expect(spec.volumes.some((v: any) => v.hostPath)).toBe(false);
  });

  test("the AWS CLI image is pinned to a version that supports Pod Identity (≥ 2.15)", () => {
    for (const t of podTemplates()) {
      const image: string = t.spec.containers[0].image;
      expect(image).toBe(AWS_CLI_IMAGE);
      const [major, minor] = image.split(":")[1].split(".").map(Number);
      expect(major > 2 || (major === 2 && minor >= 15)).toBe(true);
    }
  });

  test("the Job reads s3://<bucket>/hello.txt as the binding's role, and fails otherwise", () => {
    const job = rec.one(T.job, "-verify");
    // Three pods: one admitted before the association took effect exits, and a fresh one follows.
    expect(job.inputs.spec.backoffLimit).toBe(2);
    // Three pod starts (120 s each), the controller's 10 s + 20 s back-off, and 30 tries of 20 s.
    expect(job.inputs.spec.activeDeadlineSeconds).toBe(3 * 120 + 30 + 30 * 20);
    const spec = job.inputs.spec.template.spec;
    expect(spec.restartPolicy).toBe("Never");
    const [sh, flag, script] = spec.containers[0].command;
    expect([sh, flag]).toEqual(["/bin/sh", "-c"]);
    // A pod without what the Pod Identity webhook injects exits at once, naming the variable.
    for (const v of [
      "AWS_CONTAINER_CREDENTIALS_FULL_URI",
      "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    ]) {
      expect(script).toContain(`[ -n "\${${v}:-}" ] || { echo "FAILED: ${v} is not set:`);
    }
    expect(script).toContain("aws sts get-caller-identity --query Arn --output text");
    expect(script).toContain("aws s3 cp s3://wi-dev-storage-bucket-a1b2c3d/hello.txt -");
    expect(script).toContain('[ "$content" = "Hello, World!" ]');
    expect(script).toContain('while [ "$attempt" -le 30 ]; do');
    expect(spec.containers[0].env).toContainEqual({
      name: "EXPECTED_IDENTITY",
      value: ":assumed-role/wi-dev-binding-role-a1b2c3d/",
    });
    expect(spec.containers[0].env).toContainEqual({ name: "AWS_REGION", value: "eu-north-1" });
  });

  test("the long-running pod sleeps, so one can kubectl exec into it", () => {
    expect(rec.one(T.deployment).inputs.spec.template.spec.containers[0].command).toEqual([
      "sleep",
      "infinity",
    ]);
  });
});

describe("denial, proven in the cluster", () => {
  test("a second ServiceAccount that nothing trusts runs the same pod and must fail to read", () => {
    const unbound = rec.one(T.sa, "-unbound");
    expect(unbound.inputs.metadata).toMatchObject({ name: "demo-unbound", namespace: "demo" });
    expect(unbound.inputs.metadata.annotations).toBeUndefined();
    // No binding names it.
    expect(rec.one(T.association).inputs.serviceAccount).not.toBe("demo-unbound");
    const trust = statements(bindingRole().inputs.assumeRolePolicy)[0];
    expect(Object.values(trust.Condition!.StringEquals)).not.toContain("demo-unbound");

    const deny = rec.one(T.job, "-deny").inputs.spec.template.spec;
    const verify = rec.one(T.job, "-verify").inputs.spec.template.spec;
    expect(deny.serviceAccountName).toBe("demo-unbound");
    // Same image and pod security; it claims the bound identity itself, since no association
    // names it: the agent's endpoint and its own token for the Pod Identity audience.
    expect(deny.containers[0].image).toBe(verify.containers[0].image);
    expect(deny.securityContext).toEqual(verify.securityContext);
    expect(deny.containers[0].env).toEqual([
      { name: "HOME", value: "/tmp" },
      { name: "AWS_REGION", value: "eu-north-1" },
      { name: "AWS_DEFAULT_REGION", value: "eu-north-1" },
      { name: "AWS_CONTAINER_CREDENTIALS_FULL_URI", value: "http://169.254.170.23/v1/credentials" },
      {
        name: "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
        value: "/var/run/secrets/tokens/eks-pod-identity/token",
      },
    ]);
    expect(deny.volumes[1]).toEqual({
      name: "eks-pod-identity-token",
      projected: {
        sources: [
          {
            serviceAccountToken: {
              audience: "pods.eks.amazonaws.com",
              expirationSeconds: 3600,
              path: "token",
            },
          },
        ],
      },
    });
    expect(deny.containers[0].volumeMounts[1]).toEqual({
      name: "eks-pod-identity-token",
      mountPath: "/var/run/secrets/tokens/eks-pod-identity",
      readOnly: true,
    });
    const script: string = deny.containers[0].command[2];
    expect(script).toContain("command -v aws >/dev/null");
    expect(script).toContain(
      'if out="$( { true && aws s3 cp s3://wi-dev-storage-bucket-a1b2c3d/hello.txt -; } 2>&1 )"; then',
    );
    // Only S3's or EKS Auth's explicit refusal counts.
    expect(script).toContain(
      "refusal='\\(403\\) when calling the HeadObject operation: Forbidden|\\(AccessDenied\\) when calling the GetObject operation|\\((AccessDeniedException|ResourceNotFoundException)\\)'",
    );
    expect(script).toContain("FAILED: an unbound ServiceAccount read hello.txt");
  });

  test("the denial runs once the bound pod has read, so the grant is in force", () => {
    expect(rec.dependsOn(rec.one(T.job, "-deny"), rec.one(T.job, "-verify"))).toBe(true);
  });
});

describe("stack outputs", () => {
  test("name the bucket, the cluster, the role, and how to verify", async () => {
    const o = run.outputs;
    expect(await valueOf(o.bucketName)).toBe("wi-dev-storage-bucket-a1b2c3d");
    expect(await valueOf(o.clusterName)).toBe(EKS_NAME);
    expect(await valueOf(o.roleArn as any)).toBe(
      `arn:aws:iam::${ACCOUNT}:role/wi-dev-binding-role-a1b2c3d`,
    );
    expect(await valueOf(o.verifyCommand)).toBe(
      "kubectl -n demo exec deploy/wi-dev-demo-shell-a1b2c3d -- aws s3 cp s3://wi-dev-storage-bucket-a1b2c3d/hello.txt -",
    );
    expect(await isSecret(o.bucketName)).toBe(false);
  });
});

describe("configuration flows through", () => {
  test("another namespace/ServiceAccount changes the trust, the association and the pods together", async () => {
    await evaluate(rec, "dev", {
      "aws:region": "eu-north-1",
      "workload-identity:namespace": "team-a",
      "workload-identity:serviceAccount": "reader",
    });
    const trust = statements(bindingRole().inputs.assumeRolePolicy)[0];
    expect(trust.Condition!.StringEquals).toMatchObject({
      "aws:RequestTag/kubernetes-namespace": "team-a",
      "aws:RequestTag/kubernetes-service-account": "reader",
    });
    expect(rec.one(T.association).inputs).toMatchObject({
      namespace: "team-a",
      serviceAccount: "reader",
    });
    expect(rec.one(T.sa, "-sa").inputs.metadata).toMatchObject({
      name: "reader",
      namespace: "team-a",
    });
    for (const t of podTemplates()) expect(t.spec.serviceAccountName).toBe("reader");
    await evaluateDev();
  });

  test("bad config stops the program before any resource is registered", async () => {
    await expect(evaluate(rec, "dev", { "workload-identity:cluster": "gcp" })).rejects.toThrow(
      'config `cluster`: expected one of eks, gke, aks, external, kind, got "gcp"',
    );
    expect(rec.resources).toEqual([]);
    await evaluateDev();
  });
});
