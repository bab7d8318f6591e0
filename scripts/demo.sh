#!/usr/bin/env bash
# Builds the .oar and runs the lunchtime congestion demo (run as root):
# no slicing vs CareLane off-peak vs CareLane peak, same offered load.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
mvn -B -ntp -q package -DskipTests
echo "built $(ls app/target/*.oar)"
scripts/start-ovs.sh
/usr/bin/python3 mininet-tests/lunchtime.py "$@"
