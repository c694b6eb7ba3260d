import * as pulumi from "@pulumi/pulumi";

/** A configuration error: Pulumi prints its message without a stack trace. */
export class ConfigError extends pulumi.RunError {}
