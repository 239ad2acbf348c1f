#!/usr/bin/env bash
# The README's performance table, rerunnable: this crate against bare ureq over
# HTTPS with keep-alive, against a local nginx serving signed job status bodies,
# plus peak RSS, cold start, dependency count and a clean release build time.
#
#   bash benches/https_vs_ureq.sh            # needs nginx and openssl (apt-get install nginx-light openssl)
#   ROUNDS=5 N=20000 bash benches/https_vs_ureq.sh
#
# Runs alternate (baseline, crate, baseline, crate, ...) so that load on a shared
# machine hits both alike; the ratio is taken per round, and the median reported.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
N=${N:-10000}
N_HISTORY=${N_HISTORY:-300}
PORT=${PORT:-18443}
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
url="https://127.0.0.1:$PORT"

# Bodies are signed when written and verify for 5 minutes: rewrite before each round.
sign_bodies() {
  "$bench" --emit-response "$work/www/small/v1/job_status" 2>/dev/null
  "$bench" --emit-response "$work/www/history/v1/job_status" --history 2>/dev/null
}
sign_bodies
nginx -c "$work/nginx.conf"
sleep 0.3

field() { sed -E "s/.*\"$1\":([0-9.]+).*/\1/"; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

run_pair() { # name path n extra-args
  local name=$1 path=$2 n=$3; shift 3
  local ratios=() base ours
  for round in $(seq 1 "$ROUNDS"); do
    sign_bodies
    base=$("$bench" --url "$url/$path/v1" --ca "$work/ca.pem" --n "$n" --warmup $((n / 10)) --baseline "$@")
    ours=$("$bench" --url "$url/$path/v1" --ca "$work/ca.pem" --n "$n" --warmup $((n / 10)) "$@")
    echo "$base"
    echo "$ours"
    ratios+=("$(awk -v a="$(echo "$ours" | field calls_per_s)" -v b="$(echo "$base" | field calls_per_s)" 'BEGIN {printf "%.3f", a / b}')")
  done
  printf '%s\n' "${ratios[@]}" | median | xargs printf "{\"case\":\"%s\",\"median_ratio_smile_id_to_bare_ureq\":%s,\"rounds\":$ROUNDS}\n" "$name"
}

run_pair small small "$N"
run_pair history_1000 history "$N_HISTORY" --history

sign_bodies
echo "--- one verified call, in a fresh process: peak RSS"
"$bench" --url "$url/small/v1" --ca "$work/ca.pem" --n 1 --warmup 0
echo "--- cold start: process start to verified result, over HTTPS"
if command -v hyperfine >/dev/null; then
  hyperfine -N --warmup 5 --runs 50 --export-json "$work/cold.json" \
    "$bench --url $url/small/v1 --ca $work/ca.pem --n 1 --warmup 0" >/dev/null 2>&1
  python3 -c "import json;r=json.load(open('$work/cold.json'))['results'][0];print('{\"cold_start_ms_median\":%.2f,\"min\":%.2f,\"max\":%.2f}'%(r['median']*1e3,r['min']*1e3,r['max']*1e3))"
else
  echo "hyperfine not found (apt-get install hyperfine); skipped"
fi
echo "--- normal dependency tree"
echo "{\"normal_dependency_crates\":$(cargo tree -e normal --prefix none | sed 's/ (\*)//' | sort -u | wc -l)}"
echo "--- clean release build of the library"
start=$(date +%s.%N)
CARGO_TARGET_DIR="$work/target" cargo build --release --lib --quiet
echo "{\"clean_release_build_s\":$(echo "$(date +%s.%N) - $start" | bc)}"
