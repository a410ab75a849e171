#!/usr/bin/env bash
# End-to-end benchmark, skiff against an rsync daemon on loopback (issue 4; see docs/benchmarks.md).
# Builds the skiff CLI jar and the benchmarks jar when missing or older than any source or pom
# (set E2E_NO_BUILD=1 to skip), then runs io.skiff.bench.e2e.EndToEndRunner from the repository root.
#   benchmarks/run-e2e.sh --help
#   benchmarks/run-e2e.sh --size-mb 50 --random-mb 200 --reps 1
#   benchmarks/run-e2e.sh --json e2e.json --append-md docs/benchmarks.md
#   benchmarks/run-e2e.sh --size-mb 100 --scenarios resume --reps 1   # issue 6: cut at 50 %, resume
#   benchmarks/run-e2e.sh --scenarios fanout --fanout-mb 30 --reps 1  # issue 7: 2 regions x 4 receivers, relays
#   benchmarks/run-e2e.sh --random-mb 1536 --reps 3 --scenarios random,tls  # issue 18: mutual TLS against plaintext
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
jar="cli/target/skiff.jar"
# the shaded benchmarks jar: the runner with its own libraries (Jackson, picocli), which skiff.jar does not carry
runner="benchmarks/target/benchmarks.jar"
if [[ -z "${E2E_NO_BUILD:-}" ]]; then
  stale=""
  for target in "$jar" "$runner"; do
    if [[ ! -f "$target" ]] || [[ -n "$(find pom.xml ./*/pom.xml ./*/*/pom.xml ./*/src/main ./*/*/src/main -newer "$target" -type f -print -quit 2>/dev/null)" ]]; then
      stale=1
    fi
  done
  if [[ -n "$stale" ]]; then
    echo "run-e2e: building the skiff CLI and benchmarks..." >&2
    if ! build_log="$(./mvnw -B -q -pl cli,benchmarks -am package -DskipTests 2>&1)"; then
      printf '%s\n' "$build_log" >&2
      echo "run-e2e: build failed" >&2
      exit 1
    fi
  fi
fi
# ./skiff makes its class-data archive for this JDK and jar once per build; the runner starts skiff with it,
# as ./skiff does (SKIFF_CDS=0: neither makes nor uses one).
if [[ "${SKIFF_CDS:-1}" != 0 ]]; then
  ./skiff --version >/dev/null
fi
# The exact command line, for the report: as typed, relative to the repository root.
command="benchmarks/run-e2e.sh$(printf ' %q' "$@")"
exec java ${E2E_RUNNER_OPTS:--Xmx256m} -Dskiff.e2e.command="$command" \
  -cp "$runner:$jar" io.skiff.bench.e2e.EndToEndRunner "$@"
