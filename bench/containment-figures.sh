#!/bin/sh
# Measures the cost of per-agent cgroups (and so of the runner's-death guarantee) with
# bench/src/main/java/dev/descartes/bench/tools/ContainmentFigures.java: containment on and off
# alternated in one JVM, per engine. Prints one line of key=value figures per run.
#
#   bench/containment-figures.sh                 # spawn 200 `true`, 3 rounds, both engines
#   bench/containment-figures.sh shutdown        # 200 SIGTERM-ignoring agents, 2 s timeout
#   AGENTS=1000 ROUNDS=5 bench/containment-figures.sh spawn shutdown
#   AS_NOBODY=1 bench/containment-figures.sh     # as root: run the JVM as nobody (no writable
#                                                # cgroup: "on" is then a PID namespace per agent)
set -eu
cd "$(dirname "$0")/.."
. ./.mvn/select-jdk.sh
./mvnw -q -pl bench -am package -DskipTests
CP="bench/target/descartes-bench.jar:bench/target/lib/*"
AS=""
if [ "${AS_NOBODY:-0}" = 1 ]; then
  AS="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all"
fi
for scenario in ${*:-spawn}; do
  for engine in ${ENGINES:-native jdk}; do
    $AS "$JAVA_HOME/bin/java" -XX:-UsePerfData --enable-native-access=ALL-UNNAMED -Xmx1g -cp "$CP" \
      dev.descartes.bench.tools.ContainmentFigures --engine "$engine" --scenario "$scenario" \
      --agents "${AGENTS:-200}" --rounds "${ROUNDS:-3}" 2>/dev/null
  done
done
