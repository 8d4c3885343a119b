#!/bin/sh
# Spawn-to-first-line of a containerized agent (Podman, image built locally) against a plain one,
# median of RUNS (default 20), same JVM and run:
# bench/src/main/java/dev/descartes/bench/tools/ContainerFigures.java.
#
#   RUNS=5 bench/container-figures.sh
set -eu
cd "$(dirname "$0")/.."
. ./.mvn/select-jdk.sh
./mvnw -q -pl bench -am package -DskipTests
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "bench/target/descartes-bench.jar:bench/target/lib/*" \
  dev.descartes.bench.tools.ContainerFigures --runs "${RUNS:-20}" 2>/dev/null
