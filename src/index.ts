/**
 * The library: every component and its Args, per cloud, for programs of their own. Importing a
 * cloud's folder directly (`src/aws`) loads only that cloud's SDK (and Kubernetes').
 *
 *     import { aws, k8s } from "./src";
 *     const binding = new aws.IdentityBinding("reports", { clusterName, clusterArn, identity, policyArn, tags });
 */
export * as aws from "./aws";
export * as azure from "./azure";
export * as core from "./core";
export * as external from "./external";
export * as gcp from "./gcp";
export * as k8s from "./k8s";
export * as kind from "./kind";
export { CLOUD_MODULES, CLUSTERS, STORAGES, SUPPORTED_PAIRS } from "./registry";
