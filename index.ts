import { loadConfig } from "./src/config";
import { deploy } from "./src/program";

// Config is read and validated before any resource is registered.
const outputs = deploy(loadConfig());

export const cluster = outputs.cluster;
export const storage = outputs.storage;
export const clusterName = outputs.clusterName;
export const oidcIssuerUrl = outputs.oidcIssuerUrl;
export const kubeconfig = outputs.kubeconfig;
export const bucketName = outputs.bucketName;
export const objectUrl = outputs.objectUrl;
export const roleArn = outputs.roleArn;
export const namespace = outputs.namespace;
export const serviceAccount = outputs.serviceAccount;
export const verifyJob = outputs.verifyJob;
export const verifyCommand = outputs.verifyCommand;
