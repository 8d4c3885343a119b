#!/bin/sh
# Spawn-to-first-line of a containerized agent (Podman, image built locally) against a plain one,
# median of RUNS (default 20), same JVM and run: runner/src/test/.../internal/container/ContainerFigures.java.
set -eu
cd "$(dirname "$0")/.."
. ./.mvn/select-jdk.sh
./mvnw -q -pl runner test-compile dependency:build-classpath -Dmdep.outputFile=target/container-figures.cp \
  -Dmdep.includeScope=test
CP="runner/target/test-classes:runner/target/classes:$(cat runner/target/container-figures.cp)"
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$CP" \
  dev.descartes.runner.internal.container.ContainerFigures --runs "${RUNS:-20}" 2>/dev/null
