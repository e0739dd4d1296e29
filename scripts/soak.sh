#!/bin/sh
# Soak test: runs the built distribution's `serve` and hammers it with `loadtest` rounds for a
# fixed time, sampling the server's resident memory (VmRSS) and p99 latency after each round.
#
#   scripts/soak.sh [MINUTES] [MODEL.zip]        (defaults: 10, /tmp/soak-model/model.zip)
#
# Build the distribution first: mvn -B -q -DskipTests -Ddistribution.skip=false package
# Loopback only. Environment: SOAK_PORT (18080), SOAK_CLIENTS (32), SOAK_REQUESTS (20 per client
# per round), SOAK_LENGTH (500 characters), SOAK_RSS_GROWTH_PCT (10).
#
# Verdict: PASS when every request succeeded, the service is healthy with no pending requests at
# the end, and the highest RSS of the last third of the rounds is at most SOAK_RSS_GROWTH_PCT
# percent above the highest RSS of the first third. The first third includes warm-up (JIT, heap
# growth); a leak shows as RSS that keeps climbing after it.
set -eu

minutes=${1:-10}
model=${2:-/tmp/soak-model/model.zip}
port=${SOAK_PORT:-18080}
clients=${SOAK_CLIENTS:-32}
requests=${SOAK_REQUESTS:-20}
length=${SOAK_LENGTH:-500}
bound=${SOAK_RSS_GROWTH_PCT:-10}

here=$(cd "$(dirname "$0")/.." && pwd)
bin=$(ls -d "$here"/app/target/charlstm-*/bin/charlstm 2>/dev/null | head -n 1)
[ -x "${bin:-}" ] || { echo "soak: no distribution in app/target/; build it first" >&2; exit 2; }
[ -f "$model" ] || { echo "soak: no model at $model" >&2; exit 2; }
command -v jq >/dev/null || { echo "soak: needs jq" >&2; exit 2; }

work=$(mktemp -d)
url="http://127.0.0.1:$port"
cd "$work"
"$bin" serve --model "$model" --host 127.0.0.1 --port "$port" > serve.log 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$work"' EXIT INT TERM

# The launcher execs java, so $server is the JVM whose memory we sample.
for _ in $(seq 120); do
    curl -fsS "$url/healthz" >/dev/null 2>&1 && break
    kill -0 "$server" 2>/dev/null || { cat serve.log >&2; exit 1; }
    sleep 0.5
done
curl -fsS "$url/healthz" >/dev/null || { echo "soak: service did not come up" >&2; exit 1; }

rss_mb() { awk '/^VmRSS:/ { printf "%d", $2 / 1024 }' "/proc/$server/status"; }

echo "soak: $minutes min, $clients clients x $requests requests x $length chars per round, model $model"
echo "soak: server pid $server, RSS at start $(rss_mb) MB"
printf '%5s %8s %9s %7s %10s %9s %8s\n' round elapsed requests errors "chars/s" "p99 (s)" "RSS MB"
start=$(date +%s)
end=$((start + minutes * 60))
round=0
errors_total=0
: > rss.txt
while [ "$(date +%s)" -lt "$end" ]; do
    round=$((round + 1))
    timeout 300 "$bin" loadtest --url "$url" --clients "$clients" --requests "$requests" --length "$length" \
        --max-seconds 120 --json > round.json 2> loadtest.err || { cat loadtest.err >&2; exit 1; }
    kill -0 "$server" 2>/dev/null || { echo "soak: the server died" >&2; cat serve.log >&2; exit 1; }
    rss=$(rss_mb)
    echo "$rss" >> rss.txt
    jq -r --arg r "$round" --arg t "$(( $(date +%s) - start ))" --arg rss "$rss" \
        '.[0] | [$r, $t + "s", .requests, .errors, (.chars_per_sec | floor), (.p99_seconds * 1000 | floor / 1000), $rss] | @tsv' \
        round.json | awk -F'\t' '{ printf "%5s %8s %9s %7s %10s %9s %8s\n", $1, $2, $3, $4, $5, $6, $7 }'
    errors_total=$((errors_total + $(jq '.[0].errors' round.json)))
done

pending=$(curl -fsS "$url/metrics" | awk '$1 == "charlstm_pending_requests" { print $2 }')
health=$(curl -s -o /dev/null -w '%{http_code}' "$url/healthz")
third=$(( (round + 2) / 3 ))
first_max=$(head -n "$third" rss.txt | sort -n | tail -n 1)
last_max=$(tail -n "$third" rss.txt | sort -n | tail -n 1)
growth=$(awk -v a="$first_max" -v b="$last_max" 'BEGIN { printf "%.1f", (b - a) * 100 / a }')
echo "soak: $round rounds; errors $errors_total; healthz $health; pending requests at the end $pending"
echo "soak: max RSS first third $first_max MB, last third $last_max MB: growth $growth% (bound $bound%)"
if [ "$errors_total" -eq 0 ] && [ "$health" = 200 ] && [ "${pending%.*}" = 0 ] \
        && awk -v g="$growth" -v b="$bound" 'BEGIN { exit !(g <= b) }'; then
    echo "soak: PASS"
else
    echo "soak: FAIL"
    exit 1
fi
