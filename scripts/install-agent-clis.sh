#!/usr/bin/env bash
# Installs the agent CLIs that the backend tests run, at pinned versions, from the npm registry
# into target/agent-clis/<cli>/ at the repository root (one npm prefix per CLI, so one failure
# does not stop the others). Idempotent: a CLI whose pinned version is already installed is
# skipped at once. A CLI that cannot be installed is reported and skipped: its tests then skip
# with that reason (see target/agent-clis/<cli>/FAILED). Exit status is 0 unless npm is missing.
#
# Usage: scripts/install-agent-clis.sh [cli...]     (default: all of them)
set -u
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="${DESCARTES_AGENT_CLIS:-$root/target/agent-clis}"

# cli name | npm package | pinned version | binary
pins=(
  "claude|@anthropic-ai/claude-code|2.1.330|claude"
  "opencode|opencode-ai|1.18.33|opencode"
  "codex|@openai/codex|0.169.0|codex"
  "gemini|@google/gemini-cli|0.61.0|gemini"
  "qwen|@qwen-code/qwen-code|0.24.4|qwen"
)

if ! command -v npm >/dev/null 2>&1; then
  echo "install-agent-clis: npm is not on PATH; install node and npm (apt-get install nodejs npm)" >&2
  exit 1
fi

wanted=("$@")
mkdir -p "$dest"
for pin in "${pins[@]}"; do
  IFS='|' read -r cli pkg version bin <<<"$pin"
  if [ ${#wanted[@]} -gt 0 ] && [[ ! " ${wanted[*]} " == *" $cli "* ]]; then
    continue
  fi
  dir="$dest/$cli"
  stamp="$dir/INSTALLED"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$pkg@$version" ] && [ -x "$dir/node_modules/.bin/$bin" ]; then
    echo "install-agent-clis: $cli $version already installed"
    continue
  fi
  rm -rf "$dir"
  mkdir -p "$dir"
  echo "install-agent-clis: installing $pkg@$version"
  if npm install --prefix "$dir" --no-audit --no-fund --no-save --loglevel=error "$pkg@$version" \
      >"$dir/npm.log" 2>&1 && [ -x "$dir/node_modules/.bin/$bin" ]; then
    echo "$pkg@$version" >"$stamp"
    rm -f "$dir/FAILED"
  else
    { echo "npm install $pkg@$version failed:"; tail -n 20 "$dir/npm.log"; } >"$dir/FAILED"
    echo "install-agent-clis: could not install $pkg@$version (see $dir/FAILED); its tests will be skipped" >&2
  fi
done
exit 0
