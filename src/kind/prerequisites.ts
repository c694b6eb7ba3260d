/**
 * What a kind stack needs on the machine running Pulumi: docker (a running daemon) and kind.
 * Checked by a `command:local:run` invoke, which runs at preview as well as at update
 * (@pulumi/command local/run.d.ts; the provider's Run: "This command will always be run on any
 * preview or deployment"), so a missing tool stops the preview before anything is created. A
 * non-zero exit fails the invoke with the command and its output (pulumi-command
 * provider/pkg/provider/local: `fmt.Errorf("%w: running %q:\n%s", err, command, …)`), so the
 * script prints what to install.
 */
import * as local from "@pulumi/command/local";
import type * as pulumi from "@pulumi/pulumi";

/** The versions the docs name: kind 0.20+ (Kubernetes 1.27+ node images), any current Docker. */
export const PREREQUISITES_COMMAND = [
  'missing=""',
  'command -v docker >/dev/null 2>&1 || missing="$missing docker (https://docs.docker.com/get-docker/)"',
  'command -v kind >/dev/null 2>&1 || missing="$missing kind (https://kind.sigs.k8s.io/docs/user/quick-start/#installation)"',
  'if [ -n "$missing" ]; then echo "cluster kind needs on this machine:$missing" >&2; exit 1; fi',
  "docker info --format 'docker {{.ServerVersion}}' || { echo 'cluster kind: docker is installed but its daemon does not answer; start Docker' >&2; exit 1; }",
  "kind version",
].join("\n");

/** Runs the check; its stdout names the versions found (`docker 27.3.1`, `kind v0.27.0 …`). */
export function checkPrerequisites(opts?: pulumi.InvokeOutputOptions): pulumi.Output<string> {
  return local
    .runOutput({ command: PREREQUISITES_COMMAND, addPreviousOutputInEnv: false }, opts)
    .apply((r) => r.stdout);
}
