#!/bin/sh
# mcpwire as the client under test of the MCP conformance harness (`conformance client --command`),
# which appends the server URL. Each run gets its own state dir and file credential store; the
# "browser" follows the mock authorization server's redirect to mcpwire's loopback listener.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
node=${MCPWIRE_NODE:-node}
url=$1
state=$(mktemp -d)
trap 'rm -rf "$state"' EXIT
ctx() { "$node" -e 'const c = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT || "{}"); const v = c[process.argv[1]]; if (v != null) process.stdout.write(String(v));' "$1"; }
set -- --call test-tool --client-metadata-url https://conformance-test.local/client-metadata.json --timeout 20 --browser-timeout 20
id=$(ctx client_id)
secret=$(ctx client_secret)
[ -n "$id" ] && set -- "$@" --client-id "$id"
# The secret goes through the environment, never the command line.
[ -n "$secret" ] && export MCPWIRE_CONFORMANCE_CLIENT_SECRET="$secret" && set -- "$@" --client-secret-env MCPWIRE_CONFORMANCE_CLIENT_SECRET
HOME=$state MCPWIRE_CONFIG_DIR=$state MCPWIRE_CREDENTIAL_STORE=file BROWSER="$node $here/follow-redirects.cjs" \
  exec "$node" "$root/bin/mcpwire.js" tools "$url" "$@"
