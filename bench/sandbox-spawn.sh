#!/bin/sh
# The spawn cost of a sandboxed agent against a plain one, in one JVM and one run, with
# bench/src/main/java/dev/descartes/bench/tools/SandboxSpawnCost.java (median of 200 spawns of each
# kind, interleaved). Needs bubblewrap and socat.
#
#   bench/sandbox-spawn.sh                 # 200 spawns per kind, default engine
#   bench/sandbox-spawn.sh --spawns 50 --engine jdk
set -eu
cd "$(dirname "$0")/.."
. ./.mvn/select-jdk.sh
./mvnw -q -pl bench -am package -DskipTests
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "bench/target/descartes-bench.jar:bench/target/lib/*" \
  dev.descartes.bench.tools.SandboxSpawnCost "$@" 2>/dev/null
