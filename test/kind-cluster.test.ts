/**
 * The kind cluster's local side, run for real where it can be without docker or kind: the key
 * files script (owner-only files, removed on destroy), the prerequisite check (against a PATH
 * without the tools, and with stand-ins that answer as they would), the create script's check
 * that the API server took the issuer (with stand-ins for kind and docker); and the config the
 * program refuses for a kind cluster, before anything is registered.
 *
 * What this cannot prove: kind's and kubeadm's behaviour (the stand-ins only answer), nor how the
 * command provider runs these scripts (`/bin/sh -c`, as command.d.ts `interpreter` says).
 */
import { spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { evaluate, exampleStackConfig } from "../offline/evaluate";
import { installMocks, valueOf } from "../offline/mocks";
import { checkLimits, parseConfig, type RawConfig } from "../src/config";
import type { StorageKind } from "../src/core";
import {
  CREATE_CLUSTER,
  DELETE_CLUSTER,
  GET_KUBECONFIG,
  jwksDocument,
  keyId,
  PREREQUISITES_COMMAND,
  REMOVE_KEYS,
  rsaJwk,
  validateClusterArgs,
  WRITE_KEYS,
} from "../src/kind";
import { CLUSTERS, STORAGES } from "../src/registry";
import { KIND_STACKS, kindCommands } from "./support/kind";

const rec = installMocks();
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "kind-test-"));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

function sh(script: string, env: Record<string, string>, input = "") {
  const r = spawnSync("/bin/sh", ["-c", script], { env, input, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A directory of stand-in executables, each a shell script. */
function standIns(scripts: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(scratch, "bin-"));
  for (const [name, body] of Object.entries(scripts)) {
    fs.writeFileSync(path.join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  }
  return dir;
}
const SYSTEM_PATH = "/usr/bin:/bin";

describe("the key files", () => {
  const keyDir = path.join(scratch, "keys", "wi-kind-s3");
  const env = { PATH: SYSTEM_PATH, KEY_DIR: keyDir, SA_PUB: "PUBLIC" };

  test("are written owner-only, the private key from stdin, and removed on destroy", () => {
    const written = sh(`umask 022\n${WRITE_KEYS}`, env, "PRIVATE\n");
    expect(written).toMatchObject({ status: 0, stdout: "", stderr: "" });
    expect(fs.readFileSync(path.join(keyDir, "sa.key"), "utf8")).toBe("PRIVATE\n");
    expect(fs.readFileSync(path.join(keyDir, "sa.pub"), "utf8")).toBe("PUBLIC\n");
    for (const f of ["sa.key", "sa.pub"]) {
      expect((fs.statSync(path.join(keyDir, f)).mode & 0o777).toString(8), f).toBe("600");
    }
    expect((fs.statSync(keyDir).mode & 0o777).toString(8)).toBe("700");

    // Files that existed with wider modes are narrowed too.
    fs.chmodSync(path.join(keyDir, "sa.key"), 0o644);
    expect(sh(WRITE_KEYS, env, "PRIVATE\n").status).toBe(0);
    expect(fs.statSync(path.join(keyDir, "sa.key")).mode & 0o777).toBe(0o600);

    expect(sh(REMOVE_KEYS, env).status).toBe(0);
    expect(fs.existsSync(keyDir)).toBe(false);
    // Destroying twice (or after a failed create) is not an error.
    expect(sh(REMOVE_KEYS, env).status).toBe(0);
  });

  test.runIf(fs.existsSync("/proc/self/fd"))(
    "the private key file is owner-only from the moment it is created, not only after chmod",
    () => {
      // A stand-in `cat` records the mode of the file the shell opened for it, then copies.
      const record = path.join(scratch, "mode-at-write");
      const bin = standIns({
        cat: `stat -L -c %a /proc/$$/fd/1 > ${record}; exec /bin/cat`,
      });
      const r = sh(`umask 022\n${WRITE_KEYS}`, { ...env, PATH: `${bin}:${SYSTEM_PATH}` }, "KEY\n");
      expect(r.status).toBe(0);
      expect(fs.readFileSync(record, "utf8").trim()).toBe("600");
      expect(sh(REMOVE_KEYS, env).status).toBe(0);
    },
  );

  test("the key never appears in a command line or the environment the program registers", async () => {
    await evaluate(rec, "kind-s3");
    const { keys, cluster, kubeconfig } = kindCommands(rec);
    for (const c of [keys, cluster, kubeconfig]) {
      expect(JSON.stringify([c.inputs.create, c.inputs.delete, c.inputs.environment])).not.toMatch(
        /PRIVATE KEY/,
      );
    }
    expect([keys.inputs.create, keys.inputs.delete]).toEqual([WRITE_KEYS, REMOVE_KEYS]);
    expect([cluster.inputs.create, cluster.inputs.delete]).toEqual([
      CREATE_CLUSTER,
      DELETE_CLUSTER,
    ]);
    expect(kubeconfig.inputs.create).toBe(GET_KUBECONFIG);
    // The kubeconfig is read again whenever the cluster is created again.
    expect(kubeconfig.dependencies).toContain(cluster.urn);
  });
});

describe("the prerequisite check", () => {
  test("names what is missing and where to get it", () => {
    const r = sh(PREREQUISITES_COMMAND, { PATH: standIns({}) + ":/nonexistent" });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      "cluster kind needs on this machine: docker (https://docs.docker.com/get-docker/) " +
        "kind (https://kind.sigs.k8s.io/docs/user/quick-start/#installation)\n",
    );
    const onlyDocker = standIns({ docker: "echo docker 27.3.1" });
    expect(sh(PREREQUISITES_COMMAND, { PATH: `${onlyDocker}:${SYSTEM_PATH}` }).stderr).toMatch(
      /needs on this machine: kind \(https:/,
    );
  });

  test("fails when docker's daemon does not answer, and prints the versions when all is there", () => {
    const down = standIns({
      docker: "echo 'Cannot connect to the Docker daemon' >&2; exit 1",
      kind: "echo kind v0.27.0",
    });
    const r = sh(PREREQUISITES_COMMAND, { PATH: `${down}:${SYSTEM_PATH}` });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/docker is installed but its daemon does not answer; start Docker/);
    const up = standIns({
      docker: 'test "$1" = info && echo "docker 27.3.1"',
      kind: 'test "$1" = version && echo "kind v0.27.0 go1.23.6 linux/amd64"',
    });
    expect(sh(PREREQUISITES_COMMAND, { PATH: `${up}:${SYSTEM_PATH}` })).toEqual({
      status: 0,
      stdout: "docker 27.3.1\nkind v0.27.0 go1.23.6 linux/amd64\n",
      stderr: "",
    });
  });

  test("runs as an invoke on every kind stack, before the cluster (which waits for its answer)", async () => {
    for (const stack of Object.values(KIND_STACKS)) {
      await evaluate(rec, stack, exampleStackConfig(stack));
      expect(rec.invokes.filter((i) => i.token === "command:local:run")).toEqual([
        expect.objectContaining({
          args: expect.objectContaining({ command: PREREQUISITES_COMMAND }),
        }),
      ]);
    }
  });
});

describe("the create script", () => {
  const ISSUER = "https://wi-kind-s3-issuer-bucket-a1b2c3d.s3.eu-north-1.amazonaws.com";
  /**
   * kind keeps the config it reads from stdin; docker answers `docker exec <node> grep -q -F --
   * <flag> <manifest>` from a manifest holding `flag`, and refuses any other call.
   */
  const tools = (flag: string) => {
    const bin = standIns({
      kind: 'test "$1 $2 $3 $4 $5 $6 $7" = "create cluster --name wi-kind-s3 --config - --wait" || exit 2\ncat > "$(dirname "$0")/config.yaml"; echo "Creating cluster" >&2',
      docker: [
        'test "$1 $2 $3 $4 $5 $6 $8" = "exec wi-kind-s3-control-plane grep -q -F -- /etc/kubernetes/manifests/kube-apiserver.yaml" || exit 2',
        'grep -q -F -- "$7" "$(dirname "$0")/manifest"',
      ].join("\n"),
    });
    fs.writeFileSync(
      path.join(bin, "manifest"),
      `    - --authorization-mode=Node,RBAC\n    - ${flag}\n`,
    );
    return bin;
  };

  test("succeeds when the API server took the issuer, printing one line naming the creation", () => {
    const bin = tools(`--service-account-issuer=${ISSUER}`);
    const r = sh(
      CREATE_CLUSTER,
      { PATH: `${bin}:${SYSTEM_PATH}`, CLUSTER: "wi-kind-s3", ISSUER },
      "CONFIG",
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^created wi-kind-s3 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$/);
    expect(fs.readFileSync(path.join(bin, "config.yaml"), "utf8")).toBe("CONFIG");
  });

  test("fails, saying how to clean up, when the API server kept another issuer", () => {
    const bin = tools("--service-account-issuer=https://kubernetes.default.svc.cluster.local");
    const r = sh(
      CREATE_CLUSTER,
      { PATH: `${bin}:${SYSTEM_PATH}`, CLUSTER: "wi-kind-s3", ISSUER },
      "CONFIG",
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      `the API server did not take --service-account-issuer=${ISSUER} (kubeadmConfigPatches not applied); delete it with: kind delete cluster --name wi-kind-s3`,
    );
  });
});

describe("config for cluster kind", () => {
  const raw: RawConfig = { cluster: "kind", storage: "s3", "aws:region": "eu-north-1" };
  const refusal = (r: RawConfig) => {
    try {
      checkLimits(parseConfig(r, "kind-s3"));
    } catch (e) {
      return (e as Error).message;
    }
    return undefined;
  };

  test("needs a storage, and refuses what applies to other clusters only", () => {
    expect(refusal({ cluster: "kind" })).toBe(
      "config `storage`: required with cluster kind, which has no cloud of its own; expected one of s3, gcs, blob, got nothing",
    );
    expect(refusal({ ...raw, apiAllowedCidrs: ["203.0.113.0/24"] })).toBe(
      'config `apiAllowedCidrs`: applies only to a cloud cluster, got ["203.0.113.0/24"] with cluster kind; ' +
        "a kind cluster's API server listens on 127.0.0.1 only, so remove it",
    );
    expect(refusal({ ...raw, existingCluster: "mine" })).toMatch(
      /^config `existingCluster`: cluster kind cannot adopt an existing cluster/,
    );
    expect(refusal({ ...raw, oidcIssuerUrl: "https://oidc.example.com" })).toMatch(
      /^config `oidcIssuerUrl`: applies only to cluster external/,
    );
    expect(refusal({ ...raw, awsMechanism: "irsa" })).toMatch(
      /^config `awsMechanism`: irsa applies only/,
    );
    expect(refusal(raw)).toBeUndefined();
  });

  test("needs only the storage's cloud", () => {
    expect(
      Object.keys(parseConfig(raw, "kind-s3")).filter((k) => ["aws", "gcp", "azure"].includes(k)),
    ).toEqual(["aws"]);
    expect(refusal({ cluster: "kind", storage: "blob" })).toMatch(
      /^config `azure-native:location`: /,
    );
  });

  test("a cluster name kind would refuse is refused by the component", () => {
    const args = {
      issuerUrl: "https://x",
      privateKeyPem: "",
      publicKeyPem: "",
      keyDir: "/tmp/k",
      issuerPublished: [],
    };
    expect(validateClusterArgs({ ...args, name: "wi-kind-s3" })).toEqual([]);
    expect(validateClusterArgs({ ...args, name: "x".repeat(51) })).toHaveLength(1);
    expect(validateClusterArgs({ ...args, name: "Kind_S3" })).toHaveLength(1);
    expect(validateClusterArgs({ ...args, name: "wi-kind-s3", keyDir: ".kind/x" })).toEqual([
      'keyDir: ".kind/x" must be absolute (kind mounts host paths)',
    ]);
  });
});

describe("the issuer's documents and limits", () => {
  test("a key set for a rotation holds both keys, each under its own kid; only RSA is taken", () => {
    const pem = () =>
      generateKeyPairSync("rsa", { modulusLength: 2048 })
        .publicKey.export({ type: "spki", format: "pem" })
        .toString();
    const [a, b] = [pem(), pem()];
    const set = JSON.parse(jwksDocument([a, b]));
    expect(set.keys.map((k: { kid: string }) => k.kid)).toEqual([keyId(a), keyId(b)]);
    expect(keyId(a)).not.toBe(keyId(b));
    expect(keyId(a)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" })
      .publicKey.export({ type: "spki", format: "pem" })
      .toString();
    expect(() => rsaJwk(ec)).toThrow("the signing key must be RSA, got ec");
  });

  test.each(Object.entries(KIND_STACKS))(
    "the worst-case issuer the limits are checked on is as long as the real one (%s)",
    async (storage, stack) => {
      const run = await evaluate(rec, stack, exampleStackConfig(stack));
      const issuer = await valueOf(run.outputs.oidcIssuerUrl);
      const worst = CLUSTERS.kind.worstCaseIssuer(run.config, STORAGES[storage as StorageKind]);
      // Random parts as x: exactly as long as the real one (mock suffixes have full length).
      expect(worst.length).toBe(issuer.length);
    },
  );
});
