#!/bin/sh
# A stand-in for an agent CLI that needs no API key: it writes the lines Claude Code writes with
# `claude -p --output-format stream-json --verbose` (session init, assistant text, a tool call that
# really runs, its result, the final result with cost), pausing between steps.
#
#   fake-agent.sh [TASK]        (the task also comes from $DESCARTES_TASK, as fleet files set it)
#
# Settings from the environment: STEPS (default 3), DELAY seconds between steps (0.5), COST in USD
# (0.0042), TOOL the command its tool call runs (ls -1), FAIL=message to end with that error and exit 1.
# Like Claude Code, Ctrl+C (SIGINT) or SIGTERM ends the turn with an error result.
set -u
STEPS=${STEPS:-3} DELAY=${DELAY:-0.5} COST=${COST:-0.0042} TOOL=${TOOL:-ls -1} FAIL=${FAIL:-}

# One JSON string's content: backslashes and quotes escaped, lines joined with \n, tabs as spaces.
json() {
  printf '%s' "$1" | tr '\t' ' ' | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' \
    | awk 'NR > 1 { printf "\\n" } { printf "%s", $0 }'
}

TASK=$(json "${1:-${DESCARTES_TASK:-do something useful}}")
SESSION=$(cat /proc/sys/kernel/random/uuid 2>/dev/null || echo "session-$$")
SESSION_FIELD='"session_id":"'$SESSION'"'

result() { # $1: subtype, $2: is_error, $3: text, $4: turns
  printf '{"type":"result","subtype":"%s","is_error":%s,"num_turns":%s,"result":"%s","total_cost_usd":%s,%s}\n' \
    "$1" "$2" "$4" "$(json "$3")" "$COST" "$SESSION_FIELD"
}

trap 'result error_during_execution true "interrupted at step ${i:-0} of $STEPS" "${i:-0}"; exit 130' INT TERM

printf '{"type":"system","subtype":"init","model":"fake-model","tools":["Bash"],%s}\n' "$SESSION_FIELD"
i=1
while [ "$i" -le "$STEPS" ]; do
  sleep "$DELAY"
  printf '{"type":"assistant","message":{"role":"assistant","content":[{"type":"text","text":"Step %s of %s: %s"}]},%s}\n' \
    "$i" "$STEPS" "$TASK" "$SESSION_FIELD"
  printf '{"type":"assistant","message":{"role":"assistant","content":[{"type":"tool_use","id":"tool-%s","name":"Bash","input":{"command":"%s"}}]},%s}\n' \
    "$i" "$(json "$TOOL")" "$SESSION_FIELD"
  OUT=$(sh -c "$TOOL" 2>&1 | head -n 5)
  printf '{"type":"user","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"tool-%s","content":"%s","is_error":false}]},%s}\n' \
    "$i" "$(json "$OUT")" "$SESSION_FIELD"
  i=$((i + 1))
done
sleep "$DELAY"
if [ -n "$FAIL" ]; then
  echo "fake-agent: $FAIL" >&2
  result error_during_execution true "$FAIL" "$STEPS"
  exit 1
fi
printf '{"type":"assistant","message":{"role":"assistant","content":[{"type":"text","text":"Done: %s"}]},%s}\n' "$TASK" "$SESSION_FIELD"
result success false "Done: $(printf '%s' "${1:-${DESCARTES_TASK:-do something useful}}")" "$STEPS"
