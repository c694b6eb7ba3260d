/**
 * The documents of a self-hosted OIDC issuer, computed from the signing key's public half with
 * node's `crypto`: pure functions, so tests feed them a key of their own and let a JOSE library
 * judge the result.
 */
import { createHash, createPublicKey } from "node:crypto";
import { ISSUER_DOCUMENT_PATHS } from "../core";

/** The key set's URL: `<issuer>/openid/v1/jwks`. */
export function jwksUri(issuer: string): string {
  return `${issuer.replace(/\/+$/, "")}/${ISSUER_DOCUMENT_PATHS.jwks}`;
}

/**
 * The `kid` kube-apiserver puts in the header of every token it signs with this key: base64url
 * (no padding) of the SHA-256 of the DER-encoded PKIX public key. kubernetes
 * pkg/serviceaccount/jwt.go `keyIDFromPublicKey`: `x509.MarshalPKIXPublicKey`, `crypto.SHA256`,
 * `base64.RawURLEncoding`. Node's `spki` DER export is that PKIX SubjectPublicKeyInfo encoding.
 */
export function keyId(publicKeyPem: string): string {
  const der = createPublicKey(publicKeyPem).export({ type: "spki", format: "der" });
  return createHash("sha256").update(der).digest("base64url");
}

/** One key of the set, with exactly the fields kube-apiserver serves for an RSA key. */
export interface RsaJwk {
  readonly use: "sig";
  readonly kty: "RSA";
  readonly kid: string;
  readonly alg: "RS256";
  readonly n: string;
  readonly e: string;
}

/** The public key as a JWK: RSA only (kube-apiserver signs RS256 with an RSA key). */
export function rsaJwk(publicKeyPem: string): RsaJwk {
  const key = createPublicKey(publicKeyPem);
  if (key.asymmetricKeyType !== "rsa") {
    throw new Error(`the signing key must be RSA, got ${String(key.asymmetricKeyType)}`);
  }
  const { n, e } = key.export({ format: "jwk" });
  if (typeof n !== "string" || typeof e !== "string") throw new Error("RSA key without n or e");
  return { use: "sig", kty: "RSA", kid: keyId(publicKeyPem), alg: "RS256", n, e };
}

/**
 * The key set, as kube-apiserver serves it at `/openid/v1/jwks`: `{"keys":[…]}`. Several public
 * keys during a rotation (the new one first published, then signed with), one otherwise.
 */
export function jwksDocument(publicKeyPems: readonly string[]): string {
  return JSON.stringify({ keys: publicKeyPems.map(rsaJwk) });
}

/**
 * The minimal discovery document AWS STS, Google STS and Microsoft Entra ID accept for a
 * Kubernetes issuer: the fields kube-apiserver serves itself (issuer, jwks_uri and the three
 * `*_supported` lists; azure-workload-identity docs, oidc-issuer/discovery-document.md).
 * `issuer` must equal the tokens' `iss` character for character (OpenID Connect Discovery 1.0
 * §4.3), so it is the issuer exactly as `--service-account-issuer` gets it.
 */
export function discoveryDocument(issuer: string): string {
  return JSON.stringify({
    issuer,
    jwks_uri: jwksUri(issuer),
    response_types_supported: ["id_token"],
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: ["RS256"],
  });
}
