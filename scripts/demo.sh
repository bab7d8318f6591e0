#!/usr/bin/env bash
# Builds the .oar and runs the lunchtime congestion demo (run as root): no slicing vs CareLane
# off-peak vs CareLane peak, same offered load. CareLane runs in a real ONOS 2.7.0 on Java 11,
# booted from ../shared/onos-testbed for the demo and stopped afterwards.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
[ "$(id -u)" = 0 ] || { echo "demo.sh: run as root (Mininet, OVS and ONOS's test bed need it)" >&2; exit 2; }
scripts/onos-jars.sh
mvn -B -ntp -q package -DskipTests
echo "built $(ls app/target/*.oar)"
scripts/start-ovs.sh
/usr/bin/python3 mininet-tests/lunchtime.py "$@"
