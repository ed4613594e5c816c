#!/usr/bin/env bash
# Fuzzes each fuzz target for a while (default 20s each; e.g. scripts/fuzz.sh 10m for a long run).
# `./mvnw verify` already runs every target on its saved inputs; this searches for new ones. A finding fails the
# run and is saved under the target's src/test/resources/...Inputs/<method>/ as crash-<hash>: fix the bug, keep the
# file (it is a regression test from then on).
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-20s}"
# module, test, and the classes coverage is recorded for (Jazzer's `instrument`: the code under test, not the
# fuzzer's own; a Quarkus module may not carry a junit-platform.properties, so it is given here).
targets=(
  "mesh-model ResourceReaderFuzzTest#yamlBodiesAreReadOrRefused io.kshift.**,com.fasterxml.jackson.**,org.yaml.snakeyaml.**"
  "mesh-model ResourceReaderFuzzTest#jsonBodiesAreReadOrRefused io.kshift.**,com.fasterxml.jackson.**"
  "validator-service ChangeValidatorFuzzTest#decideNeverThrowsAndAcceptsExactlyWhatTheWholeConfigAllows io.kshift.validator.**,io.kshift.model.routing.**,io.kshift.model.registry.**"
  "proxy-service RequestPathFuzzTest#anyRequestOnAnyValidRouteIsMatchedRewrittenAndEditedSafely io.kshift.proxy.http.**,io.kshift.model.regex.**,com.google.re2j.**"
)
for t in "${targets[@]}"; do
  read -r module test instrument <<< "$t"
  echo "fuzzing $test ($module) for $duration"
  log="${TMPDIR:-/tmp}/kshift-fuzz-$module.log"
  JAZZER_FUZZ=1 JAZZER_MAX_DURATION="$duration" JAZZER_INSTRUMENT="$instrument" ./mvnw -B -q -pl "$module" -am test -Dtest="$test" \
    -Dsurefire.failIfNoSpecifiedTests=false -Dkshift.images.skip=true > "$log" 2>&1 \
    || { echo "FINDING in $test (or a failed build): $log"; grep -a -A30 "Caused by\|FuzzTestFinding" "$log" | head -60; exit 1; }
  grep -a "DONE" "$log" | tail -1 | tr '\r' '\n' | tail -1 || true
done
echo "fuzzing: no finding"
