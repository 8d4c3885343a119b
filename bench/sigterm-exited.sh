#!/bin/sh
# Counts `descartes run --json` runs that end without their `exited` event after a SIGTERM.
# Each run starts the fake agent (examples/agents/fake-agent.sh, one step every DELAY s), waits for
# its first step on stdout, sends SIGTERM to the descartes JVM, and checks that the process exited
# 143 and that the last line of its output is the agent's `exited` event. Prints one line per run
# that missed, then the totals.
#
#   bench/sigterm-exited.sh            # 200 runs
#   RUNS=30 bench/sigterm-exited.sh
set -eu
cd "$(dirname "$0")/.."
./descartes --version >/dev/null 2>&1 || true # builds the CLI once if stale
RUNS=${RUNS:-200}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
missing=0
badexit=0
i=0
while [ "$i" -lt "$RUNS" ]; do
  i=$((i + 1))
  out="$tmp/out.$i"
  PATH="$PWD/examples/agents:$PATH" STEPS=1000000 DELAY=0.05 DESCARTES_NO_BUILD=1 ./descartes run --json \
    --backend fake-agent.sh-cli "Work forever" >"$out" 2>"$tmp/err" &
  pid=$!
  n=0
  until grep -q 'Step 1 of' "$out" 2>/dev/null; do
    n=$((n + 1))
    if [ "$n" -gt 6000 ]; then echo "run $i: no first step after 60 s" >&2; break; fi
    sleep 0.01
  done
  kill -TERM "$pid"
  code=0
  wait "$pid" || code=$?
  last=$(tail -n 1 "$out")
  case $last in
    *'"type":"exited"'*) ;;
    *) missing=$((missing + 1)); echo "run $i: last line is not exited: $last" ;;
  esac
  if [ "$code" -ne 143 ]; then badexit=$((badexit + 1)); echo "run $i: exit $code"; fi
done
echo "runs=$RUNS missing_exited=$missing exit_not_143=$badexit"
