#!/usr/bin/env bash
# Runs charlstm's `bench` and the PyTorch reference trainer back to back on the same machine,
# several rounds, and prints the medians and the ratios (charlstm / PyTorch).
#
#   bench/compare.sh                       # 3 rounds, 30 iterations, charlstm on one thread per core
#   ROUNDS=5 ITERATIONS=50 THREADS=2 bench/compare.sh
#
# Needs: apt-get install -y python3-torch libopenblas0-openmp (PyTorch without OpenBLAS falls
# back to reference BLAS and is ten times slower, which would flatter us), and ../shared beside
# the project. Raw JSON goes to target/bench/.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
ITERATIONS=${ITERATIONS:-30}
THREADS=${THREADS:-0}
CORPUS=${CORPUS:-../shared/corpora/covid19-faq.txt}
REFERENCE=${REFERENCE:-../shared/reference/torch_charlstm.py}
PYTHON=/usr/bin/python3

"$PYTHON" -c 'import torch' 2>/dev/null \
  || { echo "PyTorch is missing: apt-get install -y python3-torch libopenblas0-openmp" >&2; exit 2; }
ls /usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so* >/dev/null 2>&1 \
  || { echo "OpenBLAS (openmp) is missing: apt-get install -y libopenblas0-openmp" >&2; exit 2; }

out=target/bench
mkdir -p "$out"
# The library module writes its class path first, then the application's (which includes it) replaces it.
mvn -q -B -pl app -am compile dependency:build-classpath -Dmdep.outputFile="$PWD/$out/classpath.txt"
cp="app/target/classes:$(cat "$out/classpath.txt")"

for round in $(seq 1 "$ROUNDS"); do
  echo "round $round/$ROUNDS: charlstm" >&2
  java -Xmx1g -cp "$cp" dev.charlstm.cli.Main bench --json --corpus "$CORPUS" \
    --iterations "$ITERATIONS" --threads "$THREADS" 2>/dev/null > "$out/charlstm-$round.json"
  for t in 1 2; do
    echo "round $round/$ROUNDS: pytorch, $t thread(s)" >&2
    "$PYTHON" "$REFERENCE" "$CORPUS" --iterations "$ITERATIONS" --threads "$t" \
      --eval-every 1000000 --sample-chars 2000 2>/dev/null > "$out/torch-t$t-$round.json"
  done
done

"$PYTHON" - "$out" "$ROUNDS" <<'PY'
import json, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
load = lambda name: [json.load(open(f"{out}/{name}-{r}.json")) for r in range(1, rounds + 1)]
med = lambda runs, key: statistics.median(r[key] for r in runs)
ours = load("charlstm")
torch = {t: load(f"torch-t{t}") for t in (1, 2)}
best_train = max(med(torch[t], "train_chars_per_sec") for t in (1, 2))
best_sample = max(med(torch[t], "sample_chars_per_sec_batch1") for t in (1, 2))
rows = [
    ("training chars/s", med(ours, "train_chars_per_sec"), best_train),
    ("sampling chars/s, one stream", med(ours, "sample_chars_per_sec"), best_sample),
    ("sampling chars/s, %d streams" % ours[0]["streams"], med(ours, "batched_sample_chars_per_sec"), None),
    ("peak RSS MB", med(ours, "peak_rss_mb"), None),
]
print(f"medians of {rounds} rounds; PyTorch at its better thread count (1 or 2)")
print(f"{'figure':34} {'charlstm':>12} {'PyTorch':>12} {'ratio':>8}")
for name, a, b in rows:
    print(f"{name:34} {a:12,.0f} {'' if b is None else format(b, '12,.0f'):>12} {'' if b is None else format(a / b, '7.2f') + 'x':>8}")
for t in (1, 2):
    print(f"  PyTorch {t} thread(s): train {med(torch[t], 'train_chars_per_sec'):,.0f} chars/s, "
          f"sample {med(torch[t], 'sample_chars_per_sec_batch1'):,.0f} chars/s")
PY
