#!/usr/bin/env bash
# The scaling study behind the planned run (docs/experiments.md, "Scaling study"): trains each
# candidate network of the planner on each corpus for a fixed number of iterations and keeps
# every validation, so the loss is known as a function of iterations. Iterations, not seconds:
# the curves do not depend on the machine, and the planner combines them with the throughput it
# measures on the machine it runs on.
#
#   bench/study.sh OUT_DIR CORPUS... (default: the corpora of bench/corpora.sh)
# Environment: CHARLSTM (the command to run, default the built distribution's bin/charlstm),
# CANDIDATES (space-separated names, default all), SEED (default 123).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: bench/study.sh OUT_DIR [CORPUS...]}
shift
corpora=("$@")
if [ ${#corpora[@]} -eq 0 ]; then
  bench/corpora.sh target/bench-corpora >/dev/null
  corpora=(target/bench-corpora/constitution.txt target/bench-corpora/faq.txt target/bench-corpora/debian-faq.txt)
fi
charlstm=${CHARLSTM:-$(ls -d app/target/charlstm-*/bin/charlstm | head -1)}
seed=${SEED:-123}
# name: the network and its iteration cap (runs also stop 10 validations after their best)
declare -A caps=([s128]=600 [s256]=500 [m256]=400 [l384]=250 [x512]=260)
declare -A sets=(
  [s128]="layers=1 hidden_size=128 batch_size=32 dropout=0.2"
  [s256]="layers=1 hidden_size=256 batch_size=32 dropout=0.3"
  [m256]="layers=2 hidden_size=256 batch_size=64 dropout=0.4"
  [l384]="layers=2 hidden_size=384 batch_size=64 dropout=0.4"
  [x512]="layers=2 hidden_size=512 batch_size=64 dropout=0.5")
mkdir -p "$out"
for corpus in "${corpora[@]}"; do
  for name in ${CANDIDATES:-s128 s256 m256 l384 x512}; do
    run="$out/$(basename "$corpus" .txt)-$name-seed$seed"
    [ -f "$run/metrics.json" ] && continue
    args=(train --no-progress --force --corpus "$corpus" --out "$run" --max-iterations "${caps[$name]}"
          --max-seconds 100000 --set plan=off --set test_fraction=0 --set patience=10 --set eval_every=10
          --set seed="$seed")
    for kv in ${sets[$name]}; do args+=(--set "$kv"); done
    echo "$(date +%T) $run" >&2
    "$charlstm" "${args[@]}" > "$run.log" 2>&1 || echo "failed: $run (see $run.log)" >&2
  done
done
# The planner's table (app/src/main/resources/dev/charlstm/train/plan-curves.tsv): one line per validation,
# candidate <tab> training characters <tab> iteration <tab> validation loss
{
  echo "# candidate	training characters	iteration	validation loss (bench/study.sh, seed $seed)"
  for m in "$out"/*-seed"$seed"/metrics.json; do
    run=$(basename "$(dirname "$m")")
    name=${run%-seed*}; name=${name##*-}
    jq -r --arg name "$name" '(.corpus_chars * (1 - .config.validation_fraction - (.config.test_fraction // 0)) | floor) as $chars
        | .evaluations[] | [$name, $chars, .iteration, .val_loss] | @tsv' "$m"
  done
} > "$out/plan-curves.tsv"
echo "wrote $out/plan-curves.tsv" >&2
