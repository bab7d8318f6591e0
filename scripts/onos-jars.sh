#!/bin/bash
# Installs into the local Maven repository the ONOS 2.7.0 jars CareLane compiles against that are
# not on Maven Central: onos-protocols-openflow-api (CareLane reads meter band counters from the
# switches' meter-stats replies). They come from the test bed beside the repository
# (../shared/onos-testbed/bundles, compiled from ONOS's unmodified protocols/openflow/api), or
# from ONOS_JARS if set.
set -euo pipefail
cd "$(dirname "$0")/.."
JARS=${ONOS_JARS:-../shared/onos-testbed/bundles}
REPO="$HOME/.m2/repository"
for artifact in onos-protocols-openflow-api; do
  if [ -f "$REPO/org/onosproject/$artifact/2.7.0/$artifact-2.7.0.jar" ]; then
    continue
  fi
  jar="$JARS/$artifact-2.7.0.jar"
  [ -f "$jar" ] || { echo "onos-jars: $jar not found: build it from ONOS 2.7.0's sources, or set ONOS_JARS" >&2; exit 1; }
  # A plain POM: the jar's embedded one names ONOS's build parent, which Maven Central lacks.
  pom=$(mktemp --suffix=.pom)
  printf '<project><modelVersion>4.0.0</modelVersion><groupId>org.onosproject</groupId><artifactId>%s</artifactId><version>2.7.0</version><packaging>jar</packaging></project>\n' \
      "$artifact" > "$pom"
  mvn -B -ntp -q install:install-file -Dfile="$jar" -DpomFile="$pom"
  rm -f "$pom"
  echo "onos-jars: installed $artifact 2.7.0 from $jar" >&2
done
