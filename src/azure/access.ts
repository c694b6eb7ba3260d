/**
 * Waiting for an Azure RBAC role assignment on an AKS cluster to take effect in the cluster.
 *
 * "New role assignments can take up to five minutes to propagate and be updated by the
 * authorization server" (https://learn.microsoft.com/azure/aks/manage-azure-rbac, "Before you
 * begin"), and pulumi-kubernetes does not retry a 403: its create retries only NotFound and
 * NoMatch errors, 5 times from 1 s doubling (pulumi/pulumi-kubernetes
 * `provider/pkg/await/await.go`, `retrier.Do(apierrors.IsNotFound, meta.IsNoMatchError)`), and a
 * read is not retried at all. So the first Kubernetes call after a new assignment fails the update.
 *
 * `KubernetesAccess` is a dynamic resource (in `@pulumi/pulumi`, no extra package) whose create
 * asks the API server, as the deploying identity, until it answers a request that the role
 * grants, and only then completes: everything that depends on it (the cluster's Kubernetes
 * provider, and through it every object) waits exactly as long as propagation takes.
 */
import * as pulumi from "@pulumi/pulumi";

/**
 * The AKS Microsoft Entra server application: the audience of every token for an AKS API server
 * with managed Entra ID, the same in all clouds (Azure/kubelogin `docs/book/src/concepts/aks.md`).
 */
export const AKS_AAD_SERVER_APP_ID = "6dae42f8-4368-4678-94ff-3960e28e3630";

/**
 * `kubelogin get-token` with the Azure CLI's signed-in identity: the arguments
 * `kubelogin convert-kubeconfig -l azurecli` writes (Azure/kubelogin
 * `pkg/internal/converter/convert.go`: `get-token`, `--login azurecli`, `--server-id <id>`).
 */
export const KUBELOGIN_ARGS: readonly string[] = [
  "get-token",
  "--login",
  "azurecli",
  "--server-id",
  AKS_AAD_SERVER_APP_ID,
];

/**
 * A request only an authorised caller gets a 200 for: listing namespaces needs `list` on
 * `namespaces`, which "Azure Kubernetes Service RBAC Cluster Admin" grants and an authenticated
 * identity without a role does not have (it gets 403).
 */
export const ACCESS_PROBE_PATH = "/api/v1/namespaces?limit=1";

/** What one try saw: the HTTP status, or the error that prevented one. */
export interface ProbeResult {
  readonly status?: number;
  readonly error?: string;
}

export interface ProbeDeps {
  /** One authorised try against the API server. */
  readonly probe: () => Promise<ProbeResult>;
  readonly sleep: (ms: number) => Promise<void>;
}

export interface ProbeSchedule {
  /** Tries in all, at least 1. */
  readonly attempts: number;
  readonly intervalMs: number;
}

/**
 * Tries until the API server answers 200 and returns the number of tries it took; throws with the
 * last answer once `attempts` tries have failed. Any other answer (403 while the assignment
 * propagates, 401, a network error while the endpoint comes up) is tried again.
 */
export async function waitForAccess(deps: ProbeDeps, schedule: ProbeSchedule): Promise<number> {
  let last: ProbeResult = {};
  for (let attempt = 1; attempt <= schedule.attempts; attempt++) {
    last = await deps.probe();
    if (last.status === 200) return attempt;
    if (attempt < schedule.attempts) await deps.sleep(schedule.intervalMs);
  }
  const seen = last.status !== undefined ? `HTTP ${last.status}` : (last.error ?? "no answer");
  throw new Error(
    `the AKS API server still refuses the deploying identity after ${schedule.attempts} tries ` +
      `${schedule.intervalMs / 1000} s apart (last: ${seen}); the role assignment has not taken ` +
      "effect, or `az` is signed in as another identity than the one Pulumi deploys with",
  );
}

/** The real try: a token from kubelogin (via the Azure CLI), then one GET of the probe path. */
function kubeloginProbe(server: string, certificateAuthority: string): () => Promise<ProbeResult> {
  // Required here, not imported: this code is serialized into the dynamic provider.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const childProcess = require("node:child_process") as typeof import("node:child_process");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const https = require("node:https") as typeof import("node:https");
  return async () => {
    let token: string;
    try {
      const out = childProcess.execFileSync("kubelogin", [...KUBELOGIN_ARGS], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
        timeout: 120_000,
      });
      token = (JSON.parse(out) as { status?: { token?: string } }).status?.token ?? "";
      if (!token) return { error: "kubelogin printed no token" };
    } catch (e) {
      return { error: `kubelogin get-token failed: ${(e as Error).message}` };
    }
    return new Promise<ProbeResult>((resolve) => {
      const request = https.get(
        new URL(ACCESS_PROBE_PATH, server),
        {
          ca: Buffer.from(certificateAuthority, "base64"),
          headers: { Authorization: `Bearer ${token}`, Accept: "application/json" },
          timeout: 30_000,
        },
        (response) => {
          response.resume();
          resolve({ status: response.statusCode });
        },
      );
      request.on("timeout", () => request.destroy(new Error("timed out")));
      request.on("error", (e) => resolve({ error: e.message }));
    });
  };
}

interface AccessInputs {
  readonly server: string;
  readonly certificateAuthority: string;
  readonly roleAssignmentId: string;
  readonly attempts: number;
  readonly intervalSeconds: number;
}

/** Keys whose change means a new assignment or another cluster: wait again. */
const WAIT_AGAIN = ["server", "roleAssignmentId"] as const;

const accessProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: AccessInputs) {
    const tries = await waitForAccess(
      {
        probe: kubeloginProbe(inputs.server, inputs.certificateAuthority),
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      },
      { attempts: inputs.attempts, intervalMs: inputs.intervalSeconds * 1000 },
    );
    return { id: inputs.roleAssignmentId, outs: { ...inputs, tries } };
  },
  diff(_id: string, olds: AccessInputs, news: AccessInputs) {
    const replaces = WAIT_AGAIN.filter((k) => olds[k] !== news[k]);
    return Promise.resolve({ changes: replaces.length > 0, replaces, deleteBeforeReplace: true });
  },
};

export interface KubernetesAccessArgs {
  /** The API server URL, with `https://`. */
  readonly server: pulumi.Input<string>;
  /** Base64 PEM of the cluster's CA. */
  readonly certificateAuthority: pulumi.Input<string>;
  /** The role assignment to wait for: a new one waits again. */
  readonly roleAssignmentId: pulumi.Input<string>;
  /**
   * Tries, 10 s apart: 60 outlast the documented five minutes twice over.
   * @default 60
   */
  readonly attempts?: number;
}

/**
 * Completes once the deploying identity's role on an AKS cluster has taken effect (see the module
 * comment). Runs `kubelogin get-token --login azurecli`, so `az` must be signed in as the identity
 * Pulumi deploys with. Created once per role assignment; updates that keep it do not wait.
 */
export class KubernetesAccess extends pulumi.dynamic.Resource {
  /** How many tries the wait took. */
  declare public readonly tries: pulumi.Output<number>;

  constructor(name: string, args: KubernetesAccessArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      accessProvider,
      name,
      {
        server: args.server,
        certificateAuthority: args.certificateAuthority,
        roleAssignmentId: args.roleAssignmentId,
        attempts: args.attempts ?? 60,
        intervalSeconds: 10,
        tries: undefined,
      },
      opts,
    );
  }
}
