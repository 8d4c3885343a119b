#!/bin/sh
# Measures both process engines with bench/src/main/java/dev/descartes/bench/tools/EngineFigures.java,
# each scenario in a fresh JVM per engine. Prints one line of key=value figures per run.
#
#   bench/engine-figures.sh                      # spawn, stream and leak, full counts (about 30 min)
#   bench/engine-figures.sh spawn stream         # only these scenarios
#   AGENTS=200 CYCLES=500 KILLS=100 bench/engine-figures.sh   # smaller counts
#
# Needs a C compiler for the stream scenario's fake agent (bench/tick-agent.c).
# The JVMs run with --enable-native-access=ALL-UNNAMED (the native engine needs it) and -Xmx1g.
set -eu
cd "$(dirname "$0")/.."
. ./.mvn/select-jdk.sh
./mvnw -q -pl bench -am package -DskipTests
cc -O2 -o bench/target/tick-agent bench/tick-agent.c
CP="bench/target/descartes-bench.jar:bench/target/lib/*"
SCENARIOS=${*:-spawn stream leak}
for scenario in $SCENARIOS; do
  for engine in jdk native; do
    "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Xmx1g -cp "$CP" \
      dev.descartes.bench.tools.EngineFigures --engine "$engine" --scenario "$scenario" \
      --agents "${AGENTS:-1000}" --cycles "${CYCLES:-10000}" --kills "${KILLS:-1000}" 2>/dev/null
  done
done
