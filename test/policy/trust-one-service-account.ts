import { describe, expect, test } from "vitest";
import {
  AWS,
  AZURE,
  GCP,
  resourceMessages,
  trustOneServiceAccount,
  type PolicyResource,
} from "../../policy/rules";
import { GCP_IAM_TYPES } from "../../policy/readers";
import {
  changed,
  changedDocument,
  firesOnEveryType,
  one,
  quietOnEveryStack,
  resourcesOf,
  synthetic,
  useStacks,
  type Firing,
} from "../support/policy";

const check = (r: PolicyResource) => resourceMessages(trustOneServiceAccount, r);
const ONE_SA = "name one system:serviceaccount:<namespace>:<serviceaccount>";
const POOL =
  "principal://iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools";
const SET =
  "principalSet://iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/p.svc.id.goog/namespace/demo";
const WHOLE_SET =
  "grants a whole set of identities (principalSet://); grant one principal://…/subject/<subject> instead";
const NOT_ONE_SA =
  "does not name one Kubernetes ServiceAccount; use …/subject/ns/<namespace>/sa/<serviceaccount> (GKE) or …/subject/system:serviceaccount:<namespace>:<serviceaccount> (federation)";
const FIC = [AZURE.federatedIdentityCredential];
const GCS = [GCP.bucketIamMember];
const WEB_IDENTITY_STACKS = ["dev (irsa)", "gke-s3", "aks-s3"];

/** The `<issuer host>` of the recorded web-identity trust's `<host>:sub` condition. */
function issuerHost(role: PolicyResource): string {
  const doc = JSON.parse(String(role.props.assumeRolePolicy));
  const key = Object.keys(doc.Statement[0].Condition.StringEquals).find((k) => k.endsWith(":sub"));
  return key!.slice(0, -":sub".length);
}

describe("trust-one-service-account", () => {
  useStacks();
  quietOnEveryStack(trustOneServiceAccount, {
    dev: [AWS.role],
    "dev (irsa)": [AWS.role],
    "gke-s3": [AWS.role, GCP.projectIamMember],
    "aks-s3": [AWS.role],
    aks: FIC,
    "eks-blob": FIC,
    "gke-blob": FIC,
    gke: GCS,
    "eks-gcs": GCS,
    "aks-gcs": GCS,
  });

  describe("EKS Pod Identity (dev)", () => {
    const AT =
      'aws:iam/role:Role wi-dev-binding-role: assumeRolePolicy statement "EksPodIdentity" (pods.eks.amazonaws.com)';
    const role = () => one(resourcesOf("dev"), AWS.role, "-binding-role");

    test("fires when the namespace condition is dropped", () => {
      const dropped = changedDocument(role(), "assumeRolePolicy", (d) => {
        delete d.Statement[0].Condition.StringEquals["aws:RequestTag/kubernetes-namespace"];
      });
      expect(check(dropped)).toEqual([
        `${AT} has no StringEquals condition on aws:RequestTag/kubernetes-namespace, so any association can use the role; add it with the one value the pods run as`,
      ]);
    });

    test("fires on StringLike, a wildcard or two values for the ServiceAccount", () => {
      const SA = "aws:RequestTag/kubernetes-service-account";
      const like = changedDocument(role(), "assumeRolePolicy", (d) => {
        const c = d.Statement[0].Condition;
        c.StringLike = { [SA]: "demo" };
        delete c.StringEquals[SA];
      });
      expect(check(like)).toEqual([
        `${AT} conditions ${SA} with StringLike; use StringEquals with the one value the pods run as`,
      ]);
      const wildcard = changedDocument(role(), "assumeRolePolicy", (d) => {
        d.Statement[0].Condition.StringEquals[SA] = "demo-*";
      });
      expect(check(wildcard)).toEqual([
        `${AT} StringEquals ${SA} is "demo-*", a wildcard; name the one value the pods run as`,
      ]);
      const two = changedDocument(role(), "assumeRolePolicy", (d) => {
        d.Statement[0].Condition.StringEquals[SA] = ["demo", "other"];
      });
      expect(check(two)).toEqual([
        `${AT} StringEquals ${SA} is ["demo","other"], not exactly one value; name the one value the pods run as`,
      ]);
    });

    test('fires on a role anyone may assume, as an object or a bare "*"', () => {
      for (const principal of [{ AWS: "*" }, "*"]) {
        const open = changedDocument(role(), "assumeRolePolicy", (d) => {
          d.Statement.push({ Effect: "Allow", Principal: principal, Action: "sts:AssumeRole" });
        });
        expect(check(open)).toEqual([
          'aws:iam/role:Role wi-dev-binding-role: assumeRolePolicy statement #2 trusts Principal "*" (anyone); trust one service or federated provider',
        ]);
      }
    });
  });

  describe.for(WEB_IDENTITY_STACKS)("web identity (%s)", (label) => {
    const role = () => one(resourcesOf(label), AWS.role, "-binding-role");
    const at = () =>
      `${role().type} ${role().name}: assumeRolePolicy statement "KubernetesServiceAccount" (web identity)`;

    test("fires on a wildcard subject, a StringLike subject, or no audience", () => {
      const host = issuerHost(role());
      const wildcard = changedDocument(role(), "assumeRolePolicy", (d) => {
        d.Statement[0].Condition.StringEquals[`${host}:sub`] = "system:serviceaccount:demo:*";
      });
      expect(check(wildcard)).toEqual([
        `${at()} StringEquals ${host}:sub is "system:serviceaccount:demo:*", a wildcard; ${ONE_SA}`,
      ]);
      const like = changedDocument(role(), "assumeRolePolicy", (d) => {
        const c = d.Statement[0].Condition;
        c.StringLike = { [`${host}:sub`]: "system:serviceaccount:*" };
        delete c.StringEquals[`${host}:sub`];
      });
      expect(check(like)).toEqual([
        `${at()} conditions ${host}:sub with StringLike; use StringEquals with one exact value`,
        `${at()} has no StringEquals condition on ${host}:sub, so any ServiceAccount of the cluster can assume the role; add it with ${ONE_SA.replace("name one ", "")}`,
      ]);
      const noAudience = changedDocument(role(), "assumeRolePolicy", (d) => {
        delete d.Statement[0].Condition.StringEquals[`${host}:aud`];
      });
      expect(check(noAudience)).toEqual([
        `${at()} has no StringEquals condition on ${host}:aud; add it with the token's audience (sts.amazonaws.com)`,
      ]);
    });

    test("checks the trust whatever the Action is spelled: a wildcard or another case", () => {
      const host = issuerHost(role());
      for (const action of ["sts:*", "sts:AssumeRoleWith*", "STS:assumerolewithwebidentity", "*"]) {
        const open = changedDocument(role(), "assumeRolePolicy", (d) => {
          d.Statement[0].Action = action;
          delete d.Statement[0].Condition;
        });
        expect(check(open), action).toEqual([
          `${at()} has no StringEquals condition on ${host}:sub, so any ServiceAccount of the cluster can assume the role; add it with system:serviceaccount:<namespace>:<serviceaccount>`,
          `${at()} has no StringEquals condition on ${host}:aud; add it with the token's audience (sts.amazonaws.com)`,
        ]);
      }
      const other = changedDocument(role(), "assumeRolePolicy", (d) => {
        d.Statement[0].Action = "sts:AssumeRoleWithSAML";
        delete d.Statement[0].Condition;
      });
      expect(check(other)).toEqual([]);
    });

    test("fires on a subject that is no ServiceAccount, or two audiences", () => {
      const host = issuerHost(role());
      const loose = changedDocument(role(), "assumeRolePolicy", (d) => {
        d.Statement[0].Condition.StringEquals[`${host}:sub`] = "repo:org/app:ref:refs/heads/main";
        d.Statement[0].Condition.StringEquals[`${host}:aud`] = ["sts.amazonaws.com", "other"];
      });
      expect(check(loose)).toEqual([
        `${at()} StringEquals ${host}:sub is "repo:org/app:ref:refs/heads/main", not a Kubernetes ServiceAccount; ${ONE_SA}`,
        `${at()} StringEquals ${host}:aud is ["sts.amazonaws.com","other"], not exactly one value; name the one audience`,
      ]);
    });
  });

  test.for(["aks", "eks-blob", "gke-blob"])(
    "fires when the %s stack's federated credential trusts a whole namespace",
    (label) => {
      const fic = one(resourcesOf(label), AZURE.federatedIdentityCredential);
      const loose = changed(fic, (p) => {
        p.subject = "system:serviceaccount:demo:*";
        p.audiences = ["api://AzureADTokenExchange", "sts.amazonaws.com"];
      });
      expect(check(loose)).toEqual([
        `${fic.type} ${fic.name}: subject is "system:serviceaccount:demo:*"; ${ONE_SA}, without wildcards`,
        `${fic.type} ${fic.name}: audiences is ["api://AzureADTokenExchange","sts.amazonaws.com"]; set it to ["api://AzureADTokenExchange"]`,
      ]);
    },
  );

  test.for(["gke", "eks-gcs", "aks-gcs"])(
    "fires when the %s stack's bucket grant goes to a principalSet or a non-ServiceAccount subject",
    (label) => {
      const grant = one(resourcesOf(label), GCP.bucketIamMember);
      const member = String(grant.props.member);
      const set = member
        .replace("principal://", "principalSet://")
        .replace(/\/subject\/.*$/, "/namespace/demo");
      expect(check(changed(grant, (p) => (p.member = set)))).toEqual([
        `${grant.type} ${grant.name}: member "${set}" ${WHOLE_SET}`,
      ]);
      const other = member.replace(/\/subject\/.*$/, "/subject/ns/demo/sa/*");
      expect(check(changed(grant, (p) => (p.member = other)))).toEqual([
        `${grant.type} ${grant.name}: member "${other}" ${NOT_ONE_SA}`,
      ]);
    },
  );

  test("GCP: one principal:// subject, in either form, is fine", () => {
    const member = (m: string) => synthetic(GCP.bucketIamMember, "m", { role: "r", member: m });
    expect(check(member(`${POOL}/p.svc.id.goog/subject/ns/demo/sa/demo`))).toEqual([]);
    expect(check(member(`${POOL}/pool-1/subject/system:serviceaccount:demo:demo`))).toEqual([]);
    expect(check(member("serviceAccount:reader@p.iam.gserviceaccount.com"))).toEqual([]);
  });

  test("an API-versioned federated credential is checked like the default one", () => {
    const fic = synthetic(
      "azure-native:managedidentity/v20230131:FederatedIdentityCredential",
      "f",
      {
        subject: "system:serviceaccount:demo:demo",
        audiences: ["api://AzureADTokenExchange"],
      },
    );
    expect(check(fic)).toEqual([]);
    expect(check(changed(fic, (p) => (p.subject = "demo")))).toEqual([
      `${fic.type} f: subject is "demo"; ${ONE_SA}, without wildcards`,
    ]);
  });

  const gcpMember = {
    props: { role: "r", member: SET },
    messages: [`member "${SET}" ${WHOLE_SET}`],
  };
  const gcpBinding = {
    props: { role: "r", members: [`${POOL}/p/subject/ns/demo/sa/demo`, `${POOL}/p/subject/x`] },
    messages: [`members[1] "${POOL}/p/subject/x" ${NOT_ONE_SA}`],
  };
  const gcpPolicy = {
    props: { policyData: JSON.stringify({ bindings: [{ role: "r", members: [SET] }] }) },
    messages: [`policyData.bindings[0].members[0] "${SET}" ${WHOLE_SET}`],
  };
  const gcp: Record<string, Firing> = { Member: gcpMember, Binding: gcpBinding, Policy: gcpPolicy };
  const POD_IDENTITY = "assumeRolePolicy statement #1 (pods.eks.amazonaws.com) has no StringEquals";
  const ANY = "so any association can use the role; add it with the one value the pods run as";
  firesOnEveryType(trustOneServiceAccount, {
    [AWS.role]: {
      props: {
        assumeRolePolicy: JSON.stringify({
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: "pods.eks.amazonaws.com" },
              Action: ["sts:AssumeRole", "sts:TagSession"],
            },
          ],
        }),
      },
      messages: [
        `${POD_IDENTITY} condition on aws:RequestTag/kubernetes-namespace, ${ANY}`,
        `${POD_IDENTITY} condition on aws:RequestTag/kubernetes-service-account, ${ANY}`,
      ],
    },
    [AZURE.federatedIdentityCredential]: {
      props: { subject: "system:serviceaccount:demo:*" },
      messages: [
        `subject is "system:serviceaccount:demo:*"; ${ONE_SA}, without wildcards`,
        'audiences is unset; set it to ["api://AzureADTokenExchange"]',
      ],
    },
    ...Object.fromEntries(
      GCP_IAM_TYPES.map((t) => [t, gcp[/(Member|Binding|Policy)$/.exec(t)![1]]]),
    ),
  });
});
