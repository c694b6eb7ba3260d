import { autoname, type InvokeMock, type ResourceMock } from "./types";

/**
 * The project *number* the provider reports for any project (on buckets, in pool and provider
 * names). Deliberately unlike any project ID, so a principal that swaps number and ID cannot pass
 * a test.
 */
export const GCP_PROJECT_NUMBER = "604875213397";
/** The control plane IP GKE reports (no scheme) and its CA (base64 PEM). */
export const GKE_ENDPOINT = "34.88.201.17";
export const GKE_CA =
  "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUVMVENDQXBXZ0F3SUJBZ0lSQU1vY2sKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=";
/** The hex the RandomId mock yields (for `byteLength` bytes it is the first 2×byteLength characters). */
export const RANDOM_HEX = "5f3a9c07be21d4e86a";

/** The program passes `project` explicitly to every resource that has one; the mocks insist. */
function projectOf(type: string, inputs: any): string {
  if (typeof inputs.project !== "string" || inputs.project === "") {
    throw new Error(`mock: ${type} registered without an explicit project`);
  }
  return inputs.project;
}

export const gcpResources: Record<string, ResourceMock> = {
  "gcp:projects/service:Service": (_name, inputs) => {
    const project = projectOf("Service", inputs);
    return { id: `${project}/${inputs.service}`, state: { ...inputs } };
  },
  "gcp:serviceaccount/account:Account": (name, inputs) => {
    const project = projectOf("Account", inputs);
    const accountId = inputs.accountId ?? autoname(name);
    const email = `${accountId}@${project}.iam.gserviceaccount.com`;
    return {
      id: `projects/${project}/serviceAccounts/${email}`,
      state: {
        ...inputs,
        accountId,
        email,
        member: `serviceAccount:${email}`,
        name: `projects/${project}/serviceAccounts/${email}`,
        uniqueId: "108273645091827364510",
      },
    };
  },
  "gcp:projects/iAMMember:IAMMember": (_name, inputs) => ({
    id: `${projectOf("IAMMember", inputs)}/${inputs.role}/${inputs.member}`,
    state: { ...inputs, etag: "BwYFake0Etag=" },
  }),
  "gcp:container/cluster:Cluster": (name, inputs) => {
    const project = projectOf("Cluster", inputs);
    const clusterName = inputs.name ?? autoname(name);
    const path = `projects/${project}/locations/${inputs.location}/clusters/${clusterName}`;
    return {
      id: path,
      state: {
        ...inputs,
        name: clusterName,
        endpoint: GKE_ENDPOINT,
        masterAuth: {
          clusterCaCertificate: GKE_CA,
          clientCertificate: "",
          clientKey: "",
          clientCertificateConfig: { issueClientCertificate: false },
        },
        selfLink: `https://container.googleapis.com/v1/${path}`,
        masterVersion: "1.33.5-gke.1201000",
      },
    };
  },
  "gcp:container/nodePool:NodePool": (name, inputs) => {
    const project = projectOf("NodePool", inputs);
    const poolName = inputs.name ?? autoname(name);
    return {
      id: `${project}/${inputs.location}/${inputs.cluster}/${poolName}`,
      state: {
        ...inputs,
        name: poolName,
        instanceGroupUrls: [
          `https://www.googleapis.com/compute/v1/projects/${project}/zones/${inputs.location}/instanceGroupManagers/gke-${poolName}-grp`,
        ],
      },
    };
  },
  "gcp:storage/bucket:Bucket": (_name, inputs) => {
    projectOf("Bucket", inputs);
    // Bucket names are global: the program must choose one, so there is no auto-name here.
    if (typeof inputs.name !== "string") throw new Error("mock: Bucket registered without a name");
    return {
      id: inputs.name,
      state: {
        ...inputs,
        url: `gs://${inputs.name}`,
        selfLink: `https://www.googleapis.com/storage/v1/b/${inputs.name}`,
        // A number, as the provider reports it (storage/bucket.d.ts: `Output<number>`).
        projectNumber: Number(GCP_PROJECT_NUMBER),
      },
    };
  },
  "gcp:storage/bucketObject:BucketObject": (_name, inputs) => ({
    id: `${inputs.bucket}-${inputs.name}`,
    state: {
      ...inputs,
      outputName: inputs.name,
      selfLink: `https://www.googleapis.com/storage/v1/b/${inputs.bucket}/o/${inputs.name}`,
      mediaLink: `https://storage.googleapis.com/download/storage/v1/b/${inputs.bucket}/o/${inputs.name}?alt=media`,
    },
  }),
  "gcp:storage/bucketIAMMember:BucketIAMMember": (_name, inputs) => ({
    id: `b/${inputs.bucket}/${inputs.role}/${inputs.member}`,
    state: { ...inputs, etag: "CAE=" },
  }),
  "gcp:iam/workloadIdentityPool:WorkloadIdentityPool": (_name, inputs) => {
    const project = projectOf("WorkloadIdentityPool", inputs);
    const path = `projects/${GCP_PROJECT_NUMBER}/locations/global/workloadIdentityPools/${inputs.workloadIdentityPoolId}`;
    return {
      id: `projects/${project}/locations/global/workloadIdentityPools/${inputs.workloadIdentityPoolId}`,
      state: { ...inputs, name: path, state: "ACTIVE" },
    };
  },
  "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider": (_name, inputs) => {
    const path = `projects/${GCP_PROJECT_NUMBER}/locations/global/workloadIdentityPools/${inputs.workloadIdentityPoolId}/providers/${inputs.workloadIdentityPoolProviderId}`;
    return { id: path, state: { ...inputs, name: path, state: "ACTIVE" } };
  },
  "random:index/randomId:RandomId": (name, inputs) => {
    const hex = RANDOM_HEX.slice(0, 2 * inputs.byteLength);
    return { id: `${name}-id`, state: { ...inputs, hex, dec: BigInt(`0x${hex}`).toString() } };
  },
};

/**
 * Existing GKE clusters the `getCluster` lookup knows, by name; any other name is not found, as
 * GKE answers (`Error 404: Not found: projects/…/clusters/…`). `wi-existing` has everything the
 * adoption needs; the others each lack one prerequisite.
 */
export const EXISTING_GKE = {
  ready: "wi-existing",
  noPool: "wi-existing-no-pool",
  gceMetadata: "wi-existing-gce-metadata",
  otherPool: "wi-existing-other-pool",
} as const;
/** The endpoint and CA the lookup reports for an existing cluster: not those of a created one. */
export const EXISTING_GKE_ENDPOINT = "35.228.14.92";
export const EXISTING_GKE_CA =
  "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUVFeGlzdGluZ0dLRQotLS0tLUVORCBDRVJUSUZJQ0FURS0tLS0tCg==";

const pool = (name: string, mode: string) => ({
  name,
  nodeConfigs: [{ workloadMetadataConfigs: [{ mode }], machineType: "e2-standard-4" }],
});

function getCluster(args: any): Record<string, unknown> {
  const { name, location, project, ...rest } = args;
  if (Object.keys(rest).length > 0 || typeof project !== "string" || typeof location !== "string") {
    throw new Error(`unexpected getCluster args ${JSON.stringify(args)}`);
  }
  if (!(Object.values(EXISTING_GKE) as string[]).includes(name)) {
    throw new Error(
      `googleapi: Error 404: Not found: projects/${project}/locations/${location}/clusters/${name}.`,
    );
  }
  const workloadIdentityConfigs =
    name === EXISTING_GKE.noPool
      ? []
      : [
          {
            workloadPool:
              name === EXISTING_GKE.otherPool
                ? "fleet-host-prj.svc.id.goog"
                : `${project}.svc.id.goog`,
          },
        ];
  return {
    id: `projects/${project}/locations/${location}/clusters/${name}`,
    name,
    location,
    project,
    endpoint: EXISTING_GKE_ENDPOINT,
    masterAuths: [
      {
        clusterCaCertificate: EXISTING_GKE_CA,
        clientCertificate: "",
        clientKey: "",
        clientCertificateConfigs: [{ issueClientCertificate: false }],
      },
    ],
    workloadIdentityConfigs,
    nodePools: [
      pool("default-pool", "GKE_METADATA"),
      pool("batch", name === EXISTING_GKE.gceMetadata ? "GCE_METADATA" : "GKE_METADATA"),
    ],
    enableAutopilot: false,
    resourceLabels: { team: "platform" },
  };
}

/**
 * Only the adoption's lookup of an existing cluster. `getProject` in particular needs the Cloud
 * Resource Manager API at every preview; the project number comes from the bucket
 * (`projectNumber`) or the Workload Identity pool (`name`) instead, so any other lookup throws.
 */
export const gcpInvokes: Record<string, InvokeMock> = {
  "gcp:container/getCluster:getCluster": getCluster,
};
