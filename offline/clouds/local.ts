/**
 * The machine's side of a kind stack: `@pulumi/tls` keys and `@pulumi/command` local commands.
 * The key is a real RSA key (made once per process), so the JWKS the program computes from it can
 * be checked with a JOSE library; commands answer as kind would, and nothing runs.
 */
import { generateKeyPairSync } from "node:crypto";
import { PREREQUISITES_COMMAND } from "../../src/kind";
import type { InvokeMock, ResourceMock } from "./types";

/** What `kind get kubeconfig --name <cluster>` prints, with invented credentials. */
export const EXAMPLE_KUBECONFIG_KIND = [
  "apiVersion: v1",
  "kind: Config",
  "clusters:",
  "  - name: kind-wi-kind-s3",
  "    cluster:",
  "      server: https://127.0.0.1:40123",
  "      certificate-authority-data: ZXhhbXBsZS1jYQ==",
  "contexts:",
  "  - name: kind-wi-kind-s3",
  "    context:",
  "      cluster: kind-wi-kind-s3",
  "      user: kind-wi-kind-s3",
  "current-context: kind-wi-kind-s3",
  "users:",
  "  - name: kind-wi-kind-s3",
  "    user:",
  "      client-key-data: ZXhhbXBsZS1rZXk=",
  "",
].join("\n");

/** What `docker info` and `kind version` print on a machine that has both. */
export const TOOL_VERSIONS = "docker 27.3.1\nkind v0.27.0 go1.23.6 linux/amd64";

let pair: { privateKeyPem: string; publicKeyPem: string } | undefined;

/**
 * The mock signing key: RSA 2048, PKCS#1 private and PKIX public PEM, as the tls provider returns
 * them (terraform-provider-tls: `x509.MarshalPKCS1PrivateKey` for RSA, `MarshalPKIXPublicKey`).
 */
export function mockSigningKey(): { privateKeyPem: string; publicKeyPem: string } {
  pair ??= (() => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    return {
      privateKeyPem: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
      publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
    };
  })();
  return pair;
}

export const localResources: Record<string, ResourceMock> = {
  "tls:index/privateKey:PrivateKey": (name, inputs) => {
    if (inputs.algorithm !== "RSA") throw new Error(`${name}: only RSA keys are mocked`);
    return { id: `${name}-id`, state: { ...inputs, ...mockSigningKey() } };
  },
  "command:local:Command": (name, inputs) => {
    const create = String(inputs.create ?? "");
    const stdout = create.startsWith("kind get kubeconfig")
      ? EXAMPLE_KUBECONFIG_KIND
      : create.includes("kind create cluster")
        ? `created ${inputs.environment?.CLUSTER} 2026-01-01T00:00:00Z`
        : "";
    return { id: `${name}-id`, state: { ...inputs, stdout, stderr: "" } };
  },
};

export const localInvokes: Record<string, InvokeMock> = {
  "command:local:run": (args) => {
    if (args.command !== PREREQUISITES_COMMAND) {
      throw new Error(`command:local:run: unexpected command ${JSON.stringify(args.command)}`);
    }
    return { ...args, stdout: TOOL_VERSIONS, stderr: "" };
  },
};
