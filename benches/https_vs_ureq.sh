#!/usr/bin/env bash
# The performance table in benches/README.md, rerunnable: this crate against bare ureq (the
# same ureq posting a prebuilt body, with no timeout, nothing parsed or
# verified), keep-alive, against a local nginx serving signed job status bodies
# over HTTP and HTTPS, reached as 127.0.0.1 and as localhost; 8 threads sharing
# one client against 8 threads sharing one ureq agent; syscalls (strace -f -c)
# and instructions (valgrind --tool=callgrind) per call on a warm connection;
# peak RSS, cold start, dependency count and a clean release build time.
#
#   bash benches/https_vs_ureq.sh     # needs nginx-light and openssl; strace, valgrind and hyperfine optional
#   ROUNDS=5 N=20000 bash benches/https_vs_ureq.sh
#
# Every calls/s case interleaves the two clients in one process (turns of BLOCK
# calls; with threads, turns of THREADS threads making BLOCK_THREADS calls
# each), so load on a shared machine hits both alike; the ratio is taken per
# round, and the median reported.
# Only loopback is used. Every figure is printed as one JSON line.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
N=${N:-10000}
N_HISTORY=${N_HISTORY:-300}
THREADS=${THREADS:-8}
BLOCK=${BLOCK:-250} # calls per turn when the two clients take turns in one process
N_COUNT=${N_COUNT:-1000} # calls per strace run; callgrind runs a fifth of it
PORT=${PORT:-18443}
HTTP_PORT=${HTTP_PORT:-18080}
work=$(mktemp -d)
chmod 755 "$work" # nginx workers run unprivileged and must read the bodies
trap 'nginx -s stop -c "$work/nginx.conf" 2>/dev/null || true; rm -rf "$work"' EXIT

command -v nginx >/dev/null || { echo "nginx not found: apt-get install nginx-light" >&2; exit 1; }

# A private CA and a certificate for 127.0.0.1 (webpki rejects a CA used as a leaf).
cat > "$work/x509.cnf" <<'EOF'
[req]
distinguished_name = dn
[dn]
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
[leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
EOF
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$work/ca.key" \
  -out "$work/ca.pem" -days 30 -subj "/CN=bench CA" -config "$work/x509.cnf" -extensions ca 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$work/leaf.key" \
  -out "$work/leaf.csr" -subj "/CN=127.0.0.1" -config "$work/x509.cnf" 2>/dev/null
openssl x509 -req -in "$work/leaf.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial \
  -out "$work/leaf.pem" -days 30 -extfile "$work/x509.cnf" -extensions leaf 2>/dev/null


cat > "$work/nginx.conf" <<EOF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/error.log warn;
events { worker_connections 256; }
http {
    access_log off;
    keepalive_requests 10000000;
    keepalive_timeout 300s;
    server {
        listen 127.0.0.1:$PORT ssl;
        listen 127.0.0.1:$HTTP_PORT;
        ssl_certificate $work/leaf.pem;
        ssl_certificate_key $work/leaf.key;
        default_type application/json;
        root $work/www;
        # Static files answer POST with 405: serve the file instead.
        error_page 405 =200 \$uri;
    }
}
EOF
mkdir -p "$work/www/small/v1" "$work/www/history/v1"

cargo build --release --example bench_job_status 2>/dev/null
bench=target/release/examples/bench_job_status
https_ip="https://127.0.0.1:$PORT"
https_name="https://localhost:$PORT"
http_ip="http://127.0.0.1:$HTTP_PORT"
http_name="http://localhost:$HTTP_PORT"

# Bodies are signed when written and verify for 5 minutes: rewrite before each round.
sign_bodies() {
  "$bench" --emit-response "$work/www/small/v1/job_status" 2>/dev/null
  "$bench" --emit-response "$work/www/history/v1/job_status" --history 2>/dev/null
}
sign_bodies
nginx -c "$work/nginx.conf"
sleep 0.3

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# Sequential cases: both clients in one process, taking turns of BLOCK calls
# (bench_job_status --interleave), so a burst of load on the shared machine
# falls on both. Each round gives two ratios: of the two clients' total times,
# and the median of the per-turn ratios (a burst that hits one turn moves the
# first, hardly the second). Both are reported, each as the median of rounds.
run_interleaved() { # name url n extra-args
  local name=$1 url=$2 n=$3; shift 3
  local ratios=() turns=() out last
  for _ in $(seq 1 "$ROUNDS"); do
    sign_bodies
    out=$("$bench" --url "$url" --ca "$work/ca.pem" --n "$n" --warmup $((n / 10)) --interleave "$BLOCK" "$@" 2>/dev/null)
    echo "$out" | head -n 2
    last=$(echo "$out" | tail -n 1)
    ratios+=("$(echo "$last" | sed -E 's/.*"ratio_smile_id_to_bare_ureq":([0-9.]+).*/\1/')")
    turns+=("$(echo "$last" | sed -E 's/.*"median_turn_ratio":([0-9.]+).*/\1/')")
  done
  printf '{"case":"%s","median_ratio_smile_id_to_bare_ureq":%s,"per_round":[%s],"median_of_turn_ratios":%s,"turn_ratio_per_round":[%s]}\n' \
    "$name" "$(printf '%s\n' "${ratios[@]}" | median)" "$(IFS=,; echo "${ratios[*]}")" \
    "$(printf '%s\n' "${turns[@]}" | median)" "$(IFS=,; echo "${turns[*]}")"
}

echo "--- calls/s, sequential, keep-alive, interleaved in one process: smile-id / bare ureq"
run_interleaved small_http_127.0.0.1 "$http_ip/small/v1" "$N"
run_interleaved small_http_localhost "$http_name/small/v1" "$N"
run_interleaved small_https_127.0.0.1 "$https_ip/small/v1" "$N"
run_interleaved small_https_localhost "$https_name/small/v1" "$N"
echo "--- calls/s, $THREADS threads sharing one client / one agent"
# Turns of BLOCK_THREADS calls per thread (THREADS x BLOCK_THREADS calls a turn).
BLOCK_THREADS=${BLOCK_THREADS:-$((BLOCK * 2 / THREADS > 0 ? BLOCK * 2 / THREADS : 1))}
BLOCK=$BLOCK_THREADS run_interleaved "small_http_127.0.0.1_${THREADS}_threads" "$http_ip/small/v1" "$N" --threads "$THREADS"
BLOCK=$BLOCK_THREADS run_interleaved "small_https_localhost_${THREADS}_threads" "$https_name/small/v1" "$N" --threads "$THREADS"
echo "--- calls/s, 1,000-entry history (785 KB), sequential, HTTPS, interleaved"
BLOCK=$((N_HISTORY / 10 > 0 ? N_HISTORY / 10 : 1)) run_interleaved history_https_127.0.0.1 "$https_ip/history/v1" "$N_HISTORY" --history
echo "--- 1,000-entry history in memory, no HTTP: judged and decoded / parsed into a serde_json::Value (time, drops included)"
# Alternating runs of JUDGE_N bodies each, ROUNDS * 3 pairs; the median of the pairs' ratios.
judge_ratios=()
for _ in $(seq 1 $((ROUNDS * 3))); do
  value=$("$bench" --judge-only --history --n "${JUDGE_N:-20}" --baseline | sed -E 's/.*"mean_us":([0-9.]+).*/\1/')
  judged=$("$bench" --judge-only --history --n "${JUDGE_N:-20}" | sed -E 's/.*"mean_us":([0-9.]+).*/\1/')
  judge_ratios+=("$(echo "$judged / $value" | bc -l)")
done
printf '{"case":"history_in_memory_time","median_ratio_judged_to_value_parse":%.3f,"pairs":%d}\n' \
  "$(printf '%s\n' "${judge_ratios[@]}" | median)" "${#judge_ratios[@]}"

# Per-call counts on a warm connection: a run of N calls minus a run of none,
# both after the same warm-up, divided by N. Process start, TLS handshake and
# exit cancel out.
strace_calls() { # strace -c file: "name calls" lines, and "total calls"
  awk '$1 ~ /^[0-9.]+$/ {print $NF, $4}' "$1"
}
per_call() { # file-n file-0 n
  awk -v n="$3" 'NR == FNR {zero[$1] = $2; next} {d = ($2 - zero[$1]) / n; if (d >= 0.05 || d <= -0.05) printf "%s %.2f\n", $1, d}' \
    <(strace_calls "$2") <(strace_calls "$1") | sort -k2 -gr
}
if command -v strace >/dev/null; then
  echo "--- syscalls per call on a warm connection (strace -f -c: $N_COUNT calls minus none)"
  for target in "http_127.0.0.1 $http_ip" "http_localhost $http_name" "https_localhost $https_name"; do
    read -r name url <<<"$target"
    sign_bodies
    for client in bare_ureq smile_id; do
      flag=()
      [ "$client" = bare_ureq ] && flag=(--baseline)
      strace -f -c -o "$work/st.n" "$bench" --url "$url/small/v1" --ca "$work/ca.pem" --n "$N_COUNT" --warmup 20 "${flag[@]}" >/dev/null 2>&1
      strace -f -c -o "$work/st.0" "$bench" --url "$url/small/v1" --ca "$work/ca.pem" --n 0 --warmup 20 "${flag[@]}" >/dev/null 2>&1
      by_name=$(per_call "$work/st.n" "$work/st.0" "$N_COUNT" | grep -v '^total ' | awk '{printf "%s%s:%s", (NR > 1 ? "," : ""), $1, $2}')
      total=$(per_call "$work/st.n" "$work/st.0" "$N_COUNT" | awk '$1 == "total" {print $2}')
      printf '{"case":"syscalls_per_call_%s","client":"%s","total":%s,"by_name":"%s"}\n' "$name" "$client" "${total:-0}" "$by_name"
    done
  done
else
  echo "strace not found (apt-get install strace); skipped"
fi
if command -v valgrind >/dev/null; then
  n_cg=$((N_COUNT / 5))
  echo "--- client instructions per call on a warm connection (callgrind: $n_cg calls minus none)"
  instructions() { # args for the bench
    valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" "$bench" "$@" >/dev/null 2>&1
    awk '/^(summary|totals):/ {print $2; exit}' "$work/cg.out"
  }
  for target in "http_127.0.0.1 $http_ip" "https_localhost $https_name"; do
    read -r name url <<<"$target"
    sign_bodies
    for client in bare_ureq smile_id; do
      flag=()
      [ "$client" = bare_ureq ] && flag=(--baseline)
      a=$(instructions --url "$url/small/v1" --ca "$work/ca.pem" --n "$n_cg" --warmup 5 "${flag[@]}")
      b=$(instructions --url "$url/small/v1" --ca "$work/ca.pem" --n 0 --warmup 5 "${flag[@]}")
      printf '{"case":"instructions_per_call_%s","client":"%s","instructions":%d}\n' "$name" "$client" $(((a - b) / n_cg))
    done
  done
  echo "--- 1,000-entry history in memory: judged and decoded vs parsed into a serde_json::Value (callgrind, per body)"
  # Counted inside the call only (the result's drop excluded), and as a whole
  # (a run of 3 minus a run of none: drop included).
  for client in serde_json_value smile_id; do
    flag=() fn='*judge_once*'
    [ "$client" = serde_json_value ] && flag=(--baseline) fn='*parse_once*'
    valgrind --tool=callgrind --toggle-collect="$fn" --callgrind-out-file="$work/cg.out" \
      "$bench" --judge-only --history --n 3 "${flag[@]}" >/dev/null 2>&1
    inside=$(awk '/^(summary|totals):/ {print $2; exit}' "$work/cg.out")
    a=$(instructions --judge-only --history --n 3 "${flag[@]}")
    b=$(instructions --judge-only --history --n 0 "${flag[@]}")
    printf '{"case":"instructions_history_in_memory","client":"%s","call":%d,"with_drop":%d}\n' "$client" $((inside / 3)) $(((a - b) / 3))
  done
else
  echo "valgrind not found (apt-get install valgrind); skipped"
fi

sign_bodies
echo "--- one call in a fresh process: peak RSS (VmHWM), HTTPS, localhost"
"$bench" --url "$https_name/small/v1" --ca "$work/ca.pem" --n 1 --warmup 0 --baseline 2>/dev/null
"$bench" --url "$https_name/small/v1" --ca "$work/ca.pem" --n 1 --warmup 0 2>/dev/null
echo "--- cold start: process start to one result over HTTPS (localhost)"
if command -v hyperfine >/dev/null; then
  hyperfine -N --warmup 5 --runs 50 --export-json "$work/cold.json" \
    "$bench --url $https_name/small/v1 --ca $work/ca.pem --n 1 --warmup 0 --baseline" \
    "$bench --url $https_name/small/v1 --ca $work/ca.pem --n 1 --warmup 0" >/dev/null 2>&1
  python3 -c "
import json
r = json.load(open('$work/cold.json'))['results']
b, o = r[0]['median'] * 1e3, r[1]['median'] * 1e3
print('{\"case\":\"cold_start_ms_median\",\"bare_ureq\":%.2f,\"smile_id\":%.2f,\"ratio_smile_id_to_bare_ureq\":%.3f}' % (b, o, o / b))"
else
  echo "hyperfine not found (apt-get install hyperfine); skipped"
fi
echo "--- normal dependency tree"
echo "{\"normal_dependency_crates\":$(cargo tree -e normal --prefix none | sed 's/ (\*)//' | sort -u | wc -l)}"
echo "--- clean release build of the library"
start=$(date +%s.%N)
CARGO_TARGET_DIR="$work/target" cargo build --release --lib --quiet
echo "{\"clean_release_build_s\":$(echo "$(date +%s.%N) - $start" | bc)}"
