#!/usr/bin/env bash
# What a JVM program pays to embed charlstm (issue 16): the class path it carries and the time and
# memory to its first generated character, for the library (charlstm-generate) alone and, for
# comparison, through the application's class path with the DL4J network loaded first (what
# loading a model cost before the library read the plain weights: ND4J's start-up).
#
#   bench/embed.sh                  # 3 rounds; trains target/embed-model/model.zip first if it is missing
#   ROUNDS=5 MODEL=models/faq/model.zip bench/embed.sh
#
# Installs charlstm-generate into the local Maven repository (~/.m2) so that
# examples/library-demo resolves it as any other program would. Needs ../shared beside the project
# for the default training corpus (else CORPUS=default: the live FAQ page or its snapshot).
# Raw lines go to target/bench/embed/.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
MODEL=${MODEL:-target/embed-model/model.zip}
CORPUS=${CORPUS:-../shared/corpora/covid19-faq.txt}
MVN=(mvn -q -B ${MVN_FLAGS:-})
out=target/bench/embed
mkdir -p "$out"

# (a) the library as an embedding program gets it: installed, then the demo's class path.
"${MVN[@]}" -pl generate -am install -DskipTests
"${MVN[@]}" -f examples/library-demo/pom.xml dependency:build-classpath -Dmdep.includeScope=runtime \
  -Dmdep.outputFile="$PWD/$out/library.classpath"
# (b) the application's runtime class path (charlstm-generate included) plus its own classes.
"${MVN[@]}" -pl app -am compile
"${MVN[@]}" -pl app dependency:build-classpath -Dmdep.includeScope=runtime \
  -Dmdep.outputFile="$PWD/$out/app.classpath"
lib_cp=$(cat "$out/library.classpath")
app_cp="app/target/classes:$(cat "$out/app.classpath")"

# (c) jars and bytes of each class path (a directory entry counts its files' bytes).
size_of() {
  local jars=0 bytes=0 entry
  IFS=: read -ra entries <<< "$1"
  for entry in "${entries[@]}"; do
    if [[ -f "$entry" ]]; then
      jars=$((jars + 1)); bytes=$((bytes + $(stat -c %s "$entry")))
    elif [[ -d "$entry" ]]; then
      bytes=$((bytes + $(find "$entry" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')))
    fi
  done
  echo "$jars $bytes"
}
read -r lib_jars lib_bytes <<< "$(size_of "$lib_cp")"
read -r app_jars app_bytes <<< "$(size_of "$app_cp")"

if [[ ! -f "$MODEL" ]]; then
  [[ "$(basename "$MODEL")" == model.zip ]] || { echo "no model at $MODEL" >&2; exit 2; }
  echo "training $MODEL (30 s)" >&2
  [[ -f "$CORPUS" || "$CORPUS" == default ]] || CORPUS=default
  "${MVN[@]}" exec:java -Dexec.args="train --corpus $CORPUS --max-seconds 30 --out $(dirname "$MODEL") --set plan=off --no-progress"
fi

# (d) the probe, compiled against the library jar alone.
mkdir -p "$out/classes"
javac -d "$out/classes" -cp "$lib_cp" bench/EmbedProbe.java

probe() { # MODE CLASS-PATH ROUND
  local launched line first
  launched=$(date +%s%N)
  # The application logs ND4J's start-up to stdout: keep it, and pick out the probe's own line.
  java -Xmx1g -cp "$2:$out/classes" EmbedProbe "$1" "$MODEL" >"$out/$1-$3.log" 2>&1
  line=$(grep '^first_text_epoch_ns=' "$out/$1-$3.log")
  first=$(sed -E 's/.*first_text_epoch_ns=([0-9]+).*/\1/' <<< "$line")
  echo "first_text_ms=$(( (first - launched) / 1000000 )) $line" | tee "$out/$1-$3.txt" >&2
}

load_before=$(uptime)
for round in $(seq 1 "$ROUNDS"); do
  echo "round $round/$ROUNDS" >&2
  probe lib "$lib_cp" "$round"
  probe app "$app_cp" "$round"
done
load_after=$(uptime)

python3 - "$out" "$ROUNDS" "$lib_jars" "$lib_bytes" "$app_jars" "$app_bytes" <<'PY'
import re, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
cp = {"lib": (int(sys.argv[3]), int(sys.argv[4])), "app": (int(sys.argv[5]), int(sys.argv[6]))}
def runs(mode):
    rows = []
    for r in range(1, rounds + 1):
        text = open(f"{out}/{mode}-{r}.txt").read()
        rows.append({k: float(v) for k, v in re.findall(r"(\w+)=([0-9.]+)", text)})
    return rows
med = lambda rows, key: statistics.median(r[key] for r in rows)
names = {"lib": "library (charlstm-generate)", "app": "application class path, DL4J network loaded first"}
print(f"medians of {rounds} runs")
print("| Class path | Jars | MB | JVM start → first char (ms) | load (ms) | of which ModelFile.load (ms) | heap before → after load (MB) | RSS after load (MB) |")
print("|---|---|---|---|---|---|---|---|")
for mode in ("lib", "app"):
    rows = runs(mode)
    jars, size = cp[mode]
    print(f"| {names[mode]} | {jars} | {size / 1e6:.1f} | {med(rows, 'first_text_ms'):.0f} | {med(rows, 'load_ms'):.0f} | {med(rows, 'dl4j_load_ms'):.0f} "
          f"| {med(rows, 'heap_before_mb'):.1f} → {med(rows, 'heap_loaded_mb'):.1f} | {med(rows, 'rss_loaded_mb'):.0f} |")
PY
echo "model: $MODEL ($(stat -c %s "$MODEL") bytes)"
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $(java -version 2>&1 | head -1)"
echo "load before: $load_before"
echo "load after:  $load_after"
