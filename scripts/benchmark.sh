#!/usr/bin/env bash
# Benchmarks over the ONOS-faithful doubles; they print figures and assert no timing.
#   scripts/benchmark.sh compile [DEVICES RULES ROUNDS]   policy compile (default 1000 200 5)
#   scripts/benchmark.sh meters [CHANGES]                 meters left after N rate changes (10000)
#   scripts/benchmark.sh all-wales [N]                     N bridges, 7 boards, 3 site classes, through the
#                                                          real ONOS test bed (root; default 300, CI runs 150)
#   scripts/benchmark.sh all-wales-cluster [N]             the same on the test bed's 3-node cluster (default 300)
#   scripts/benchmark.sh scale [N]                         N bridges, one national policy, through the real ONOS
#                                                          test bed (root; default 150, CI runs 100)
#   scripts/benchmark.sh rest-meters [CHANGES]              meters after N REST rate changes on one bridge through
#                                                          the real ONOS test bed (root; default 1000, CI runs 300)
#   scripts/benchmark.sh names [RATE SECONDS LOAD]          DNS hold latency and a flood of names through the real
#                                                          ONOS test bed (root; default 200 answers/s, 10 s, 50000)
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-compile}
[ $# -gt 0 ] && shift
case "$what" in
  all-wales) scripts/start-ovs.sh; cd mininet-tests; exec /usr/bin/python3 bench_all_wales.py "${1:-300}" ;;
  all-wales-cluster) scripts/start-ovs.sh; cd mininet-tests
    exec /usr/bin/python3 bench_all_wales.py "${1:-300}" --cluster ;;
  scale) scripts/start-ovs.sh; cd mininet-tests; exec /usr/bin/python3 bench_scale.py "${1:-150}" ;;
  rest-meters) scripts/start-ovs.sh; cd mininet-tests; exec /usr/bin/python3 bench_meters.py "${1:-1000}" ;;
  names) scripts/start-ovs.sh; cd mininet-tests; exec /usr/bin/python3 bench_names.py "$@" ;;
  compile) main=org.carelane.bench.PolicyCompileBenchmark ;;
  meters) main=org.carelane.bench.MeterLeakBenchmark ;;
  *) echo "benchmark.sh: unknown benchmark '$what' (compile, meters, scale, rest-meters, names, all-wales or all-wales-cluster)" >&2; exit 2 ;;
esac
scripts/onos-jars.sh
mvn -B -ntp -q -pl app test-compile
CP=$(cd app && mvn -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/dev/stdout)
java @scripts/jvm-opens.args -cp "app/target/test-classes:app/target/classes:$CP" "$main" "$@"
