#!/usr/bin/env bash
# Runs one Pulumi action on one stack of this project: creates the stack on first use.
#   scripts/stack.sh up --stack dev [pulumi flags…]      (npm run deploy -- --stack dev)
#   scripts/stack.sh preview --stack dev [pulumi flags…] (npm run preview -- --stack dev)
#   scripts/stack.sh destroy --stack dev [pulumi flags…] (npm run destroy -- --stack dev)
# The stack is named as Pulumi names it (`--stack <name>`, `--stack=<name>` or `-s <name>`), the
# same way `npm run plan` takes it; a bare name right after the action still works.
# State goes where Pulumi.yaml's `backend` says (a local folder, no account), unless
# PULUMI_BACKEND_URL says otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

stacks() { ls Pulumi.*.yaml 2>/dev/null | sed -E 's/^Pulumi\.(.*)\.yaml$/\1/' | paste -sd, - | sed 's/,/, /g'; }
usage="usage: scripts/stack.sh up|preview|destroy --stack <stack> [pulumi flags]"

action="${1:-}"
case "$action" in
  up | destroy | preview) shift ;;
  *)
    echo "$usage; stacks: $(stacks)" >&2
    exit 2
    ;;
esac

# The stack, taken out of the arguments; everything else goes to Pulumi as given.
stack=""
given=0
set_stack() {
  if [ "$given" = 1 ] && [ "$1" != "$stack" ]; then
    echo "stack: named twice (\"$stack\" and \"$1\"); $usage" >&2
    exit 2
  fi
  stack="$1"
  given=1
}
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
  set_stack "$1"
  shift
fi
rest=()
while [ $# -gt 0 ]; do
  case "$1" in
    --stack | -s)
      if [ $# -lt 2 ]; then
        echo "stack: $1 needs a value; $usage" >&2
        exit 2
      fi
      set_stack "$2"
      shift 2
      ;;
    --stack=*)
      set_stack "${1#--stack=}"
      shift
      ;;
    *)
      rest+=("$1")
      shift
      ;;
  esac
done

if [ -z "$stack" ] || [ ! -f "Pulumi.$stack.yaml" ]; then
  echo "stack: expected one of $(stacks), got \"$stack\" (each stack has a Pulumi.<stack>.yaml); $usage" >&2
  exit 2
fi
if ! command -v pulumi >/dev/null 2>&1; then
  echo "the Pulumi CLI is not on PATH: install it from https://www.pulumi.com/docs/install/" >&2
  exit 2
fi

if [ "$action" = up ]; then
  # Previews skip the type-check (tsconfig.pulumi.json sets noCheck); an update does not.
  npm run --silent typecheck
fi
if [ "$action" = destroy ]; then
  pulumi destroy --stack "$stack" ${rest[@]+"${rest[@]}"}
else
  # Creates the stack on first use; Pulumi asks for a passphrase unless
  # PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE is set.
  pulumi stack select --create "$stack"
  pulumi "$action" --stack "$stack" ${rest[@]+"${rest[@]}"}
fi
