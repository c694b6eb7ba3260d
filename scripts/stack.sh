#!/usr/bin/env bash
# Runs one Pulumi action on one stack of this project: creates the stack on first use.
#   scripts/stack.sh up dev [pulumi flags…]      (npm run deploy -- dev)
#   scripts/stack.sh destroy dev [pulumi flags…] (npm run destroy -- dev)
#   scripts/stack.sh preview dev [pulumi flags…] (npm run preview -- dev)
# State goes where Pulumi.yaml's `backend` says (a local folder, no account), unless
# PULUMI_BACKEND_URL says otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

stacks() { ls Pulumi.*.yaml 2>/dev/null | sed -E 's/^Pulumi\.(.*)\.yaml$/\1/' | paste -sd, - | sed 's/,/, /g'; }

action="${1:-}"
stack="${2:-}"
case "$action" in
  up | destroy | preview) ;;
  *)
    echo "usage: scripts/stack.sh up|preview|destroy <stack> [pulumi flags]; stacks: $(stacks)" >&2
    exit 2
    ;;
esac
if [ -z "$stack" ] || [ ! -f "Pulumi.$stack.yaml" ]; then
  echo "stack: expected one of $(stacks), got \"$stack\" (each stack has a Pulumi.<stack>.yaml)" >&2
  exit 2
fi
if ! command -v pulumi >/dev/null 2>&1; then
  echo "the Pulumi CLI is not on PATH: install it from https://www.pulumi.com/docs/install/" >&2
  exit 2
fi
shift 2

if [ "$action" = up ]; then
  # Previews skip the type-check (tsconfig.pulumi.json sets noCheck); an update does not.
  npm run --silent typecheck
fi
if [ "$action" = destroy ]; then
  pulumi destroy --stack "$stack" "$@"
else
  # Creates the stack on first use; Pulumi asks for a passphrase unless
  # PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE is set.
  pulumi stack select --create "$stack"
  pulumi "$action" --stack "$stack" "$@"
fi
