#!/usr/bin/env bash
# Prints policy compile time for 1,000 devices x 200 rules (args: devices rules rounds).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp -q -pl app test-compile
CP=$(cd app && mvn -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/dev/stdout)
java -cp "app/target/test-classes:app/target/classes:$CP" org.carelane.bench.PolicyCompileBenchmark "$@"
