/**
 * `npm run plan -- --stack kind-<storage>` shows the chain of a self-hosted issuer: the signing
 * key, the two documents and what makes them public, the kind cluster created after them with the
 * API server signing for that issuer, then the storage's trust of exactly that issuer.
 */
import { describe, expect, test } from "vitest";
import { EXAMPLE_PROJECT } from "../offline/evaluate";
import { plan } from "../offline/plan";
import type { StorageKind } from "../src/core";
import { KIND_STACKS } from "./support/kind";

function chainOf(out: string): [string, string][] {
  const lines = out.split("\n");
  const start = lines.indexOf("Identity chain") + 1;
  return lines
    .slice(start, lines.indexOf("", start))
    .map((l) => /^ {2}(\S+(?: \S+)?) {2,}(.*)$/.exec(l)!)
    .map((m) => [m[1], m[2]]);
}

const ISSUER: Record<StorageKind, string> = {
  s3: "https://wi-kind-s3-issuer-bucket-<random>.s3.eu-north-1.amazonaws.com",
  gcs: "https://storage.googleapis.com/wi-kind-gcs-oidc-<random>",
  blob: "https://wikindblob<random>.blob.core.windows.net/oidc",
};
const PUBLIC: Record<StorageKind, string> = {
  s3:
    'bucket policy: s3:GetObject for "*" on ' +
    "arn:aws:s3:::wi-kind-s3-issuer-bucket-<random>/.well-known/openid-configuration, " +
    "arn:aws:s3:::wi-kind-s3-issuer-bucket-<random>/openid/v1/jwks",
  gcs: "roles/storage.objectViewer for allUsers on bucket wi-kind-gcs-oidc-<random>, which holds only these",
  blob: "container oidc: anonymous access Blob (read a blob by name, no listing), holding only these",
};
const HOST: Record<StorageKind, string> = {
  s3: "workload-identity:aws:IssuerBucket",
  gcs: "workload-identity:gcp:IssuerBucket",
  blob: "workload-identity:azure:IssuerAccount",
};

describe.each(Object.entries(KIND_STACKS) as [StorageKind, string][])(
  "the plan of kind → %s",
  (storage, stack) => {
    test("names the key, the published documents, and the cluster made after them", async () => {
      const config: Record<string, string> =
        storage === "gcs" ? { "gcp:project": EXAMPLE_PROJECT } : {};
      const chain = chainOf(await plan({ stack, format: "text", config }));
      const issuer = ISSUER[storage];
      expect(chain.slice(0, 5)).toEqual([
        [
          "cluster",
          `KIND (local: created with kind) in Docker on this machine (cluster wi-${stack})`,
        ],
        ["OIDC issuer", issuer],
        [
          "signing key",
          `RSA 2048 (tls:index/privateKey:PrivateKey wi-${stack}-issuer-key), secret in the state; kid = SHA-256 of its public key, as kube-apiserver computes it`,
        ],
        [
          "published",
          `.well-known/openid-configuration and openid/v1/jwks in ${HOST[storage]} wi-${stack}-issuer; public through ${PUBLIC[storage]}`,
        ],
        [
          "kind cluster",
          `kind create cluster --name wi-${stack} after the 2 published documents; API server ` +
            `--service-account-issuer=${issuer} --service-account-jwks-uri=${issuer}/openid/v1/jwks`,
        ],
      ]);
      // The storage trusts exactly that issuer.
      const trust = chain.filter(([s]) => s === "trust").map(([, d]) => d);
      expect(
        trust.some((d) => d.includes(`issuer ${issuer},`) || d.includes(`provider ${issuer} for`)),
      ).toBe(true);
    });
  },
);
