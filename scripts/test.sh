#!/usr/bin/env bash
# All CareLane tests (run as root): Java unit/REST/CLI tests, the compile benchmark, then the
# Mininet acceptance tests on userspace OVS with the app's own rules and meters.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
echo "== Java tests (JUnit 5)"
mvn -B -ntp verify
echo "== Benchmark: policy compile, 1,000 devices x 200 rules"
scripts/benchmark.sh 1000 200 4
echo "== Mininet acceptance tests (userspace OVS)"
scripts/start-ovs.sh
cd mininet-tests
exec /usr/bin/python3 -m pytest -s -v -p no:cacheprovider .
