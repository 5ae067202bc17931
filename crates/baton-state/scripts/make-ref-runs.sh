#!/usr/bin/env bash
# Regenerates /work/main/fixtures/runs/ from the reference CLI (specify-cli 1.2.3).
# Usage: make-ref-runs.sh [path/to/specify]   (default: ../specify-ref/bin/specify beside the repo)
# Each fixture: fixtures/runs/<name>/source.yml (the workflow that was run) and
# fixtures/runs/<name>/project/.specify/workflows/runs/<name>/ (the reference's run folder).
set -euo pipefail
here="$(cd "$(dirname "$0")/../../.." && pwd)"
specify="${1:-$here/../specify-ref/bin/specify}"
out="$here/fixtures/runs"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

# make NAME [inputs...] : runs fixtures/runs/NAME/source.yml with run id NAME
make() {
  local name="$1"; shift
  local dir="$scratch/$name"
  mkdir -p "$dir"
  cp "$out/$name/source.yml" "$dir/wf.yml"
  (cd "$dir" && SPECKIT_WORKFLOW_RUN_ID="$name" "$specify" workflow run wf.yml "$@" --json </dev/null >/dev/null 2>&1 || true)
  rm -rf "$out/$name/project"
  mkdir -p "$out/$name/project/.specify/workflows/runs"
  cp -a "$dir/.specify/workflows/runs/$name" "$out/$name/project/.specify/workflows/runs/"
}

make flat-gate -i ratio=0.00001 -i big=1e300 -i name="Zoë ✓ \"q\" \\ tab	x"
make if-gate
make while-gate
make fanout-gate
make fanout-done
make failed
# legacy: a hand-written pre-`execution` state (fixtures/runs/legacy/project), resumed by the
# reference into legacy-resumed (offset/initial seeded from the legacy step_results).
rm -rf "$out/legacy-resumed/project"
mkdir -p "$out/legacy-resumed/project"
cp -a "$out/legacy/project/.specify" "$out/legacy-resumed/project/"
mv "$out/legacy-resumed/project/.specify/workflows/runs/legacy" "$out/legacy-resumed/project/.specify/workflows/runs/legacy-resumed"
sed -i 's/"run_id": "legacy"/"run_id": "legacy-resumed"/' "$out/legacy-resumed/project/.specify/workflows/runs/legacy-resumed/state.json"
(cd "$out/legacy-resumed/project" && "$specify" workflow resume legacy-resumed --json </dev/null >/dev/null 2>&1 || true)
