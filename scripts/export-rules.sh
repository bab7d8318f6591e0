#!/usr/bin/env bash
# Runs the real CareLane manager on a netcfg file at an instant and writes the OpenFlow
# meters/flows it produced (ovs-ofctl syntax) plus the queue plan, as JSON.
#   scripts/export-rules.sh NETCFG.json 2026-01-14T12:30:00Z OUT.json
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cpfile="$root/app/target/test-classpath.txt"
# The cached classpath is rebuilt when it is missing or older than a pom (a new dependency).
if [ ! -s "$cpfile" ] || [ "$cpfile" -ot "$root/app/pom.xml" ] || [ "$cpfile" -ot "$root/pom.xml" ] \
   || [ ! -d "$root/app/target/test-classes/org/carelane/harness" ]; then
  (cd "$root" && scripts/onos-jars.sh && mvn -B -ntp -q -pl app test-compile && cd app && \
   mvn -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cpfile")
fi
[ "${1:-}" = "--classpath-only" ] && exit 0
exec java @"$root/scripts/jvm-opens.args" -cp "$root/app/target/test-classes:$root/app/target/classes:$(cat "$cpfile")" \
  org.carelane.harness.OvsExport "$@"
