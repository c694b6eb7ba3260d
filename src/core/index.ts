/** The leaf of the program: kinds, settings, contracts and helpers every folder shares. */
export * from "./contracts";
export * from "./errors";
export * from "./hello";
export * from "./identity";
export * from "./kinds";
export * from "./modules";
export * from "./settings";
export * from "./tags";
export * from "./workloads";
