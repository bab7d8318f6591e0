#!/usr/bin/env bash
# Runs the CareLane manager live against OVS bridges, with the REST API on 127.0.0.1:PORT.
#   scripts/live-harness.sh NETCFG.json START-INSTANT PORT DPID=BRIDGE[,...]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/export-rules.sh" --classpath-only
exec java @"$root/scripts/jvm-opens.args" \
  -cp "$root/app/target/test-classes:$root/app/target/classes:$(cat "$root/app/target/test-classpath.txt")" \
  org.carelane.harness.OvsLiveHarness "$@"
