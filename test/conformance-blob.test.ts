/**
 * Client conformance, Azure Blob: every pair that reads Blob hands its verification pod's env and
 * files (on AKS, as the workload identity webhook injects them; elsewhere, as the pod carries them)
 * to `@azure/identity`'s `WorkloadIdentityCredential`, and it must get a token the way Microsoft
 * Entra would grant it: a client-credentials request to the pod's tenant at the authority host,
 * for the managed identity's client ID, with the token projected for `api://AzureADTokenExchange`
 * as the client assertion, for Storage's scope; and one federated identity credential of that
 * identity must match the token exactly (issuer as a string, subject, audience), as Entra matches
 * them. Network is disabled (nock): any other request fails the test.
 *
 * What this cannot prove: that Entra accepts the token's signature (it fetches the issuer's keys).
 */
import { WorkloadIdentityCredential } from "@azure/identity";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { evaluate, exampleStackConfig, STORAGE_OVERRIDES } from "../offline/evaluate";
import { IDENTITY_CLIENT_ID, TENANT } from "../offline/clouds/azure";
import { installMocks } from "../offline/mocks";
import { autoname } from "../offline/clouds/types";
import {
  admitVerificationPod,
  interceptNetwork,
  bodyOf,
  subjectOf,
  withPodEnv,
  type Admitted,
  type Pair,
  workloadCount,
  workloadPairs,
} from "./support/conformance";

const rec = installMocks();
const T = {
  identity: "azure-native:managedidentity:UserAssignedIdentity",
  fic: "azure-native:managedidentity:FederatedIdentityCredential",
};
const AUTHORITY = "https://login.microsoftonline.com";
const SCOPE = "https://storage.azure.com/.default";
const EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";

const PAIRS: readonly Pair[] = [
  { name: "aks → blob (webhook)", stack: "aks", config: exampleStackConfig("aks") },
  {
    name: "adopted aks → blob (webhook)",
    stack: "aks-existing",
    config: exampleStackConfig("aks-existing"),
  },
  { name: "eks → blob", stack: "eks-blob", config: exampleStackConfig("eks-blob") },
  { name: "gke → blob", stack: "gke-blob", config: exampleStackConfig("gke-blob") },
  {
    name: "external → blob",
    stack: "external-s3",
    config: exampleStackConfig("external-s3", STORAGE_OVERRIDES.blob),
  },
  {
    name: "kind → blob (self-hosted issuer)",
    stack: "kind-blob",
    config: exampleStackConfig("kind-blob"),
  },
  ...workloadPairs(
    "eks → blob teams",
    "eks-teams",
    exampleStackConfig("eks-teams", STORAGE_OVERRIDES.blob),
  ),
];

let nock: Awaited<ReturnType<typeof interceptNetwork>>;
beforeAll(async () => {
  nock = await interceptNetwork();
});
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe.each(PAIRS)("$name: @azure/identity WorkloadIdentityCredential", (pair) => {
  let admitted: Admitted;
  beforeAll(async () => {
    const run = await evaluate(rec, pair.stack, pair.config);
    admitted = await admitVerificationPod(rec, run, TENANT, pair.workload);
  });
  afterAll(() => admitted?.layout.remove());

  test("gets a Storage token from the pod's tenant with the api://AzureADTokenExchange token as the identity's client assertion", async () => {
    const { layout, pod, issuer } = admitted;
    const projected = layout.tokens.get(EXCHANGE_AUDIENCE);
    expect(projected, "a projected api://AzureADTokenExchange token").toBeDefined();
    let sent: Record<string, string> | undefined;
    let tokenPath: string | undefined;
    const other: string[] = [];
    // MSAL's authority metadata (instance discovery, OpenID configuration) is answered for the
    // tenant, as Entra's public cloud would; the token request is the exchange under test.
    nock(AUTHORITY)
      .persist()
      .get(/.*/)
      .reply((req: Request) => {
        const url = new URL(req.url);
        other.push(url.pathname);
        if (url.pathname === "/common/discovery/instance") {
          return [
            200,
            {
              tenant_discovery_endpoint: `${AUTHORITY}/${TENANT}/v2.0/.well-known/openid-configuration`,
              "api-version": "1.1",
              metadata: [
                {
                  preferred_network: "login.microsoftonline.com",
                  preferred_cache: "login.windows.net",
                  aliases: ["login.microsoftonline.com", "login.windows.net"],
                },
              ],
            },
          ];
        }
        if (url.pathname.endsWith("/v2.0/.well-known/openid-configuration")) {
          const tenant = url.pathname.split("/")[1];
          return [
            200,
            {
              token_endpoint: `${AUTHORITY}/${tenant}/oauth2/v2.0/token`,
              authorization_endpoint: `${AUTHORITY}/${tenant}/oauth2/v2.0/authorize`,
              issuer: `${AUTHORITY}/${tenant}/v2.0`,
              end_session_endpoint: `${AUTHORITY}/${tenant}/oauth2/v2.0/logout`,
            },
          ];
        }
        return [404, {}];
      })
      .post(/\/oauth2\/v2\.0\/token(\?|$)/)
      .reply(async (req: Request) => {
        tokenPath = new URL(req.url).pathname;
        sent = bodyOf(await req.text());
        return [
          200,
          {
            token_type: "Bearer",
            expires_in: 3599,
            ext_expires_in: 3599,
            access_token: "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.e30.conformance",
          },
        ];
      });
    const token = await withPodEnv(layout.env, () =>
      new WorkloadIdentityCredential().getToken(SCOPE),
    );
    expect(token.token).toContain("conformance");

    // The pod's tenant, the identity's client ID, the projected token as the assertion.
    expect(tokenPath).toBe(`/${TENANT}/oauth2/v2.0/token`);
    expect(sent?.grant_type).toBe("client_credentials");
    expect(sent?.client_id).toBe(IDENTITY_CLIENT_ID);
    expect(sent?.client_assertion_type).toBe(
      "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    );
    expect(sent?.client_assertion).toBe(projected!.jwt);
    expect(sent?.scope?.split(" ")).toContain(SCOPE);

    // Entra's match: a federated credential of that identity with the token's issuer (compared
    // as a string), subject and audience
    // (https://learn.microsoft.com/en-us/entra/workload-id/workload-identity-federation-considerations).
    const claims = projected!.claims;
    expect(claims.iss).toBe(issuer);
    expect(claims.sub).toBe(subjectOf(pod));
    // One managed identity per workload (docs/workloads.md); the mocks give them all
    // IDENTITY_CLIENT_ID, so which one the pod names is checked in test/workloads.test.ts.
    const identities = rec.ofType(T.identity);
    expect(identities).toHaveLength(pair.workload ? workloadCount(pair) : 1);
    const names = identities.map((i) => i.inputs.resourceName ?? autoname(i.name));
    // Exactly one federated credential, of all identities, matches the token: no other workload's
    // identity accepts this pod's token.
    const matching = rec
      .ofType(T.fic)
      .filter(
        (f) =>
          names.includes(f.inputs.resourceName) &&
          f.inputs.issuer === claims.iss &&
          f.inputs.subject === claims.sub &&
          (f.inputs.audiences as string[]).includes((claims.aud as string[])[0]),
      );
    expect(matching).toHaveLength(1);
    expect(matching[0].inputs.audiences).toEqual([EXCHANGE_AUDIENCE]);
  });
});
