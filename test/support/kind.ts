/**
 * Reading a kind stack's recorded registrations: the published issuer documents (the text each
 * cloud's object holds, as the engine receives it), the kind cluster's commands and its config.
 */
import { parse } from "yaml";
import { evaluate, exampleStackConfig, type Evaluation } from "../../offline/evaluate";
import { withResourceMocks, type Recorded, type Recorder } from "../../offline/mocks";
import type { StorageKind } from "../../src/core";

export const KIND_STACKS: Readonly<Record<StorageKind, string>> = {
  s3: "kind-s3",
  gcs: "kind-gcs",
  blob: "kind-blob",
};

/** The resource type of a published object, per storage. */
export const OBJECT_TYPE: Readonly<Record<StorageKind, string>> = {
  s3: "aws:s3/bucketObjectv2:BucketObjectv2",
  gcs: "gcp:storage/bucketObject:BucketObject",
  blob: "azure-native:storage:Blob",
};

export interface PublishedObject {
  readonly resource: Recorded;
  /** The object's path below the issuer (its key or name). */
  readonly path: string;
  readonly content: string;
  readonly contentType: string;
}

/** The text of an object as the engine gets it (an Azure blob's source is an asset). */
function contentOf(storage: StorageKind, r: Recorded): string {
  if (storage !== "blob") return String(r.inputs.content);
  const source = r.serializedInputs.source as { text?: unknown } | undefined;
  return String(source?.text);
}

/** Objects of the storage's type whose parent is the issuer's host component. */
export function publishedObjects(rec: Recorder, storage: StorageKind): PublishedObject[] {
  return rec
    .ofType(OBJECT_TYPE[storage])
    .filter(
      (r) =>
        rec.byUrn(r.parent).type.endsWith(":IssuerBucket") ||
        rec.byUrn(r.parent).type.endsWith(":IssuerAccount"),
    )
    .map((r) => ({
      resource: r,
      path: String(r.inputs.key ?? r.inputs.name ?? r.inputs.blobName),
      content: contentOf(storage, r),
      contentType: String(r.inputs.contentType),
    }));
}

/** The kind cluster's three commands, by role. */
export function kindCommands(rec: Recorder) {
  return {
    keys: rec.one("command:local:Command", "-cluster-keys"),
    cluster: rec.one("command:local:Command", "-cluster-kind"),
    kubeconfig: rec.one("command:local:Command", "-cluster-kubeconfig"),
  };
}

/** The kind config the cluster command feeds `kind create cluster`, and its kubeadm patch. */
export function kindConfigOf(rec: Recorder): { config: any; patch: any } {
  const config = parse(String(kindCommands(rec).cluster.inputs.stdin));
  const patches: string[] = config.nodes[0].kubeadmConfigPatches;
  return { config, patch: parse(patches[0]) };
}

/** Evaluates a kind stack with `keyPair` as the signing key the tls provider hands back. */
export function evaluateWithKey(
  rec: Recorder,
  stack: string,
  keyPair: { privateKeyPem: string; publicKeyPem: string },
): Promise<Evaluation> {
  return withResourceMocks(
    {
      "tls:index/privateKey:PrivateKey": (name, inputs) => ({
        id: `${name}-id`,
        state: { ...inputs, ...keyPair },
      }),
    },
    () => evaluate(rec, stack, exampleStackConfig(stack)),
  );
}
