/**
 * Pulumi mocks that record every registration the program makes: type, name, inputs, parent,
 * provider and dependencies (read off the register request, which the plain mock API hides).
 * Outputs are realistic per type (ARNs, issuer URLs, project numbers). Invokes the program is not
 * expected to make throw.
 */
import * as pulumi from "@pulumi/pulumi";
import { awsInvokes, awsResources } from "./clouds/aws";
import { azureInvokes, azureResources, deployer } from "./clouds/azure";
import { gcpInvokes, gcpResources } from "./clouds/gcp";
import { localInvokes, localResources } from "./clouds/local";
import { autoname, type InvokeMock, type ResourceMock } from "./clouds/types";

export * from "./clouds/aws";

export interface Recorded {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  readonly inputs: any;
  /** The parent's URN ('' for none). */
  readonly parent: string;
  /** The provider reference, `<provider urn>::<id>` ('' for the default provider). */
  readonly provider: string;
  /** URNs this resource depends on: explicit `dependsOn` and Outputs it consumed. */
  readonly dependencies: readonly string[];
  /** Top-level input names whose values were secret (the values above are unwrapped). */
  readonly secretInputs: readonly string[];
  /**
   * The inputs as the engine receives them: secrets, assets and archives in their wire form (an
   * asset's text is here; in `inputs` it is the SDK's Asset, whose text is a Promise).
   */
  readonly serializedInputs: Record<string, unknown>;
  /** For a `.get` of an existing resource: the ID read. Absent for resources the program creates. */
  readonly readId?: string;
}

export interface RecordedInvoke {
  readonly token: string;
  readonly args: any;
  /** The provider reference the invoke went through ('' for the default provider). */
  readonly provider: string;
}

const resourceMocks: Record<string, ResourceMock> = {
  ...awsResources,
  ...gcpResources,
  ...azureResources,
  ...localResources,
};
const invokeMocks: Record<string, InvokeMock> = {
  ...awsInvokes,
  ...gcpInvokes,
  ...azureInvokes,
  ...localInvokes,
};

/** Answers that stand in for the clouds' own while `withResourceMocks` runs (see there). */
const overrides = new Map<string, ResourceMock>();

/**
 * Runs `body` with `mocks` answering for their resource types instead of the clouds' own: for a
 * test that needs a cloud to answer otherwise (GKE reporting a pool the program cannot compute).
 * Evaluations inside are never cached nor served from the cache (`overridesActive`).
 */
export async function withResourceMocks<T>(
  mocks: Readonly<Record<string, ResourceMock>>,
  body: () => Promise<T>,
): Promise<T> {
  const types = Object.keys(mocks).filter((t) => !overrides.has(t));
  if (types.length !== Object.keys(mocks).length) throw new Error("resource mocks nested");
  for (const t of types) overrides.set(t, mocks[t]);
  try {
    return await body();
  } finally {
    for (const t of types) overrides.delete(t);
  }
}

/** True while `withResourceMocks` replaces any cloud's answer. */
export const overridesActive = (): boolean => overrides.size > 0;

/**
 * The mocks' answers a test may switch (who deploys, overridden types), as text: part of what an
 * evaluation depends on besides its stack and config (offline/evaluate.ts keys its cache on it).
 */
export const mockState = (): string =>
  JSON.stringify({ deployer, overrides: [...overrides.keys()] });

/** The clouds' own answer for a resource type (for an override that changes it). */
export const cloudResourceMock = (type: string): ResourceMock | undefined => resourceMocks[type];

function outputsFor(type: string, name: string, inputs: any): { id: string; state: any } {
  const mock = overrides.get(type) ?? resourceMocks[type];
  if (mock) return mock(name, inputs);
  if (type.startsWith("kubernetes:") && inputs.metadata) {
    // Kubernetes auto-names objects without metadata.name, as Pulumi does.
    const k8sName = inputs.metadata.name ?? autoname(name);
    return {
      id: `${name}-id`,
      state: { ...inputs, metadata: { ...inputs.metadata, name: k8sName } },
    };
  }
  return { id: `${name}-id`, state: { ...inputs } };
}

function invokeResult(token: string, args: any): Record<string, unknown> {
  const mock = invokeMocks[token];
  if (!mock) throw new Error(`unexpected invoke ${token} ${JSON.stringify(args)}`);
  return mock(args);
}

/** Everything the program registered, with lookups that fail loudly. */
export class Recorder {
  public readonly resources: Recorded[] = [];
  public readonly invokes: RecordedInvoke[] = [];

  ofType(type: string): Recorded[] {
    return this.resources.filter((r) => r.type === type);
  }

  /** The one resource of a type (optionally whose name ends with `suffix`); throws otherwise. */
  one(type: string, suffix?: string): Recorded {
    const found = this.ofType(type).filter((r) => suffix === undefined || r.name.endsWith(suffix));
    if (found.length !== 1) {
      throw new Error(
        `expected one ${type}${suffix ? ` named *${suffix}` : ""}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`,
      );
    }
    return found[0];
  }

  byUrn(urn: string): Recorded {
    const found = this.resources.find((r) => r.urn === urn);
    if (!found) throw new Error(`no resource with URN ${urn}`);
    return found;
  }

  /** The URN of the provider a resource uses ('' for the default provider). */
  providerUrn(r: Recorded): string {
    return r.provider === "" ? "" : r.provider.split("::").slice(0, -1).join("::");
  }

  /** True when `r` depends on `on`, directly or through a chain of dependencies. */
  dependsOn(r: Recorded, on: Recorded, seen = new Set<string>()): boolean {
    for (const dep of r.dependencies) {
      if (dep === on.urn) return true;
      if (seen.has(dep)) continue;
      seen.add(dep);
      const next = this.resources.find((x) => x.urn === dep);
      if (next && this.dependsOn(next, on, seen)) return true;
    }
    return false;
  }

  /** Every ancestor's type, nearest first. */
  ancestors(r: Recorded): Recorded[] {
    const chain: Recorded[] = [];
    let parent = r.parent;
    while (parent) {
      const p = this.resources.find((x) => x.urn === parent);
      if (!p) break;
      chain.push(p);
      parent = p.parent;
    }
    return chain;
  }

  clear(): void {
    this.resources.length = 0;
    this.invokes.length = 0;
  }
}

/** Installs the mocks for `stack` and returns a recorder of everything registered from then on. */
export function installMocks(stack = "dev", project = "workload-identity"): Recorder {
  const recorder = new Recorder();
  useStack(recorder, stack, project);
  return recorder;
}

/** (Re)installs the mocks under another stack name, recording into `recorder`. */
export function useStack(recorder: Recorder, stack: string, project = "workload-identity"): void {
  void pulumi.runtime.setMocks(
    {
      newResource: (args) => outputsFor(args.type, args.name, args.inputs),
      call: (args) => {
        return invokeResult(args.token, args.inputs);
      },
    },
    project,
    stack,
    false,
  );
  // The mock API hides parent and dependencies; read them off the register request itself.
  const monitor = pulumi.runtime.getMonitor() as any;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: (err: any, resp: any) => void) =>
    register(req, (err: any, resp: any) => {
      if (!err && resp) {
        recorder.resources.push({
          urn: resp.getUrn(),
          type: req.getType(),
          name: req.getName(),
          custom: req.getCustom(),
          ...unwrapSecrets(pulumi.runtime.deserializeProperties(req.getObject())),
          serializedInputs: req.getObject().toJavaScript(),
          parent: req.getParent(),
          provider: req.getProvider(),
          dependencies: req.getDependenciesList(),
        });
      }
      callback(err, resp);
    });
  // Reads (`Resource.get`) are registrations too: they have a parent, a provider and dependencies.
  const read = monitor.readResource.bind(monitor);
  monitor.readResource = (req: any, callback: (err: any, resp: any) => void) =>
    read(req, (err: any, resp: any) => {
      if (!err && resp) {
        recorder.resources.push({
          urn: resp.getUrn(),
          type: req.getType(),
          name: req.getName(),
          custom: true,
          ...unwrapSecrets(pulumi.runtime.deserializeProperties(req.getProperties())),
          serializedInputs: req.getProperties().toJavaScript(),
          parent: req.getParent(),
          provider: req.getProvider(),
          dependencies: req.getDependenciesList(),
          readId: req.getId(),
        });
      }
      callback(err, resp);
    });
  const invoke = monitor.invoke.bind(monitor);
  monitor.invoke = (req: any, callback: (err: any, resp: any) => void) => {
    const token: string = req.getTok();
    if (token !== "pulumi:pulumi:getResource") {
      recorder.invokes.push({
        token,
        args: pulumi.runtime.deserializeProperties(req.getArgs()),
        provider: req.getProvider(),
      });
    }
    return invoke(req, callback);
  };
}

const SIG = pulumi.runtime.specialSigKey;
const isSecretValue = (v: any) =>
  v && typeof v === "object" && v[SIG] === pulumi.runtime.specialSecretSig;
const isPlainObject = (v: any) =>
  v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype;
/** Removes secret wrappers; leaves assets and other class instances as they are. */
const unwrap = (v: any): any =>
  isSecretValue(v)
    ? unwrap(v.value)
    : Array.isArray(v)
      ? v.map(unwrap)
      : isPlainObject(v)
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrap(x)]))
        : v;

/** Inputs with secret wrappers removed, and which top-level inputs were (or held) secrets. */
function unwrapSecrets(inputs: any): { inputs: any; secretInputs: string[] } {
  const holdsSecret = (v: any): boolean =>
    isSecretValue(v) || (v && typeof v === "object" && Object.values(v).some(holdsSecret));
  return {
    inputs: unwrap(inputs),
    secretInputs: Object.keys(inputs).filter((k) => holdsSecret(inputs[k])),
  };
}

/** Waits until every registration and invoke the program started has been answered. */
export async function settle(): Promise<void> {
  await (pulumi.runtime as any).waitForRPCs();
}

/** Resolves an Output to its value (use for every Output a test reads). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((v) => resolve(v)));
}

/** Resolves whether an Output is marked secret. */
export function isSecret<T>(output: pulumi.Output<T>): Promise<boolean> {
  return pulumi.isSecret(output);
}
