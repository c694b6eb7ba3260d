/** A local kind cluster whose issuer the stack publishes in the storage's cloud. */
export * from "./cluster";
export * from "./documents";
export * from "./issuer";
export * from "./kindConfig";
export * from "./module";
export * from "./prerequisites";
