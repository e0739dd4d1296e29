#!/usr/bin/env bash
# Model quality at a time budget: charlstm with its defaults (a planned run) against the PyTorch
# reference trainer with its defaults, back to back on the same machine, on several texts and
# budgets. Prints a table of best validation losses (nats/char) and their ratio.
#
#   bench/quality.sh [BUDGETS...]           default budgets: 60 120 300 seconds
# Environment:
#   CORPORA   files to train on (default: faq, constitution and debian-faq from bench/corpora.sh)
#   CHARLSTM  the command (default: the built distribution's bin/charlstm; run `mvn -DskipTests package` first)
#   OUT       where runs go (default target/quality)
#   ONLY      "charlstm" or "torch" to run one side only
#
# Both sides validate on the same text: the last 10% (charlstm runs with test_fraction=0 here,
# as the reference has no test split). The reference needs python3-torch (apt-get install -y
# python3-torch libopenblas0-openmp); it runs with its default 2 threads, as charlstm uses every core.
set -euo pipefail
cd "$(dirname "$0")/.."
budgets=("$@")
[ ${#budgets[@]} -gt 0 ] || budgets=(60 120 300)
out=${OUT:-target/quality}
charlstm=${CHARLSTM:-$(ls -d app/target/charlstm-*/bin/charlstm 2>/dev/null | head -1)}
[ -x "$charlstm" ] || { echo "no distribution: run mvn -B -DskipTests package first, or set CHARLSTM" >&2; exit 2; }
reference=../shared/reference/torch_charlstm.py
if [ -z "${CORPORA:-}" ]; then
  bench/corpora.sh target/bench-corpora >/dev/null
  CORPORA="target/bench-corpora/faq.txt target/bench-corpora/constitution.txt target/bench-corpora/debian-faq.txt"
fi
mkdir -p "$out"
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $(date -u +%FT%TZ)"
printf '%-16s %6s %10s %10s %7s  %s\n' corpus budget charlstm pytorch ratio "charlstm plan"
for corpus in $CORPORA; do
  name=$(basename "$corpus" .txt)
  for b in "${budgets[@]}"; do
    run="$out/$name-$b"
    if [ "${ONLY:-}" != torch ]; then
      "$charlstm" train --no-progress --force --corpus "$corpus" --out "$run" --max-seconds "$b" \
          --max-iterations 1000000 --set test_fraction=0 > "$run.charlstm.log" 2>&1
    fi
    if [ "${ONLY:-}" != charlstm ]; then
      /usr/bin/python3 "$reference" "$corpus" --seconds "$b" --iterations 100000000 \
          > "$run.torch.json" 2> "$run.torch.log"
    fi
    ours=$(jq -r '.best_val_loss_nats' "$run/metrics.json" 2>/dev/null || echo nan)
    plan=$(jq -r '.plan.chosen | "\(.layers)x\(.hidden_size) b\(.batch_size) d\(.dropout), \(.iterations) it planned" ' \
        "$run/metrics.json" 2>/dev/null || echo "-")
    theirs=$(jq -r '[.val_loss_nats] + [.curve[].val_loss] | min' "$run.torch.json" 2>/dev/null || echo nan)
    ratio=$(awk -v a="$ours" -v b="$theirs" 'BEGIN { if (b > 0 && a > 0) printf "%.3f", a / b; else print "-" }')
    printf '%-16s %5ss %10s %10s %7s  %s\n' "$name" "$b" "$ours" "$theirs" "$ratio" "$plan"
  done
done
