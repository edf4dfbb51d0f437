#!/usr/bin/env bash
# HTTP benchmark: wrk against rivulet GET /healthz, rivulet serving a 10 KB
# static file, and nginx (nginx-light) serving the same file, all on
# 127.0.0.1 and free ports, in one run; then the same file over HTTPS (TLS,
# HTTP/1.1, keep-alive) from a second rivulet with gateway.tls_cert set and
# from nginx's ssl listener, both with one throwaway self-signed certificate.
# Prints requests/s, p50 and p99 and the rivulet/nginx ratios. Builds
# nothing: expects build/rivulet (or $RIVULET_BIN).
#
#   bench/http/run.sh                 # 10 s per run, 64 connections, 2 wrk threads
#   DURATION=5s CONNECTIONS=128 bench/http/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${RIVULET_BIN:-build/rivulet}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
WRK_THREADS=${WRK_THREADS:-2}
ROUNDS=${ROUNDS:-1}
[[ -x $BIN ]] || { echo "no $BIN: build first (scripts/build)"; exit 1; }
command -v wrk >/dev/null || { echo "wrk missing (apt-get install wrk)"; exit 1; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

work=$(mktemp -d /tmp/rivulet-bench-http.XXXXXX)
chmod 755 "$work"
rivulet_pid="" rivulet_tls_pid="" nginx_pid=""
cleanup() {
  [[ -n $rivulet_pid ]] && kill "$rivulet_pid" 2>/dev/null && wait "$rivulet_pid" 2>/dev/null || true
  [[ -n $rivulet_tls_pid ]] && kill "$rivulet_tls_pid" 2>/dev/null && wait "$rivulet_tls_pid" 2>/dev/null || true
  [[ -n $nginx_pid ]] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/www" "$work/data" "$work/data-tls" "$work/nginx"
# One P-256 certificate for both TLS servers (same handshake and cipher cost).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=localhost \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
chmod 644 "$work/key.pem"
head -c 7680 /dev/urandom | base64 -w 100 | head -c 10240 > "$work/www/10k.txt"
echo '<!doctype html><title>bench</title>' > "$work/www/index.html"
chmod -R a+rX "$work/www"

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Rivulet: access log off (debug level), default threads (= cores).
"$BIN" serve --data-dir "$work/data" --bind 127.0.0.1 --http-port 0 --aws-port 0 \
  --static-dir "$work/www" --log-level warn > "$work/rivulet.log" 2>&1 &
rivulet_pid=$!
for _ in $(seq 200); do [[ -s $work/data/ports.json ]] && break; sleep 0.05; done
rport=$(/usr/bin/python3 -c "import json;print(json.load(open('$work/data/ports.json'))['http'])")
"$BIN" serve --data-dir "$work/data-tls" --bind 127.0.0.1 --http-port 0 --aws-port 0 \
  --static-dir "$work/www" --log-level warn --set gateway.tls_cert="$work/cert.pem" \
  --set gateway.tls_key="$work/key.pem" > "$work/rivulet-tls.log" 2>&1 &
rivulet_tls_pid=$!
for _ in $(seq 200); do [[ -s $work/data-tls/ports.json ]] && break; sleep 0.05; done
rsport=$(/usr/bin/python3 -c "import json;print(json.load(open('$work/data-tls/ports.json'))['http'])")

nport=$(free_port)
nsport=$(free_port)
cat > "$work/nginx/nginx.conf" <<CONF
worker_processes 2;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  types { text/plain txt; text/html html; }
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  server { listen 127.0.0.1:$nport; root $work/www; }
  server {
    listen 127.0.0.1:$nsport ssl;
    ssl_certificate $work/cert.pem;
    ssl_certificate_key $work/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    root $work/www;
  }
}
CONF
"$NGINX" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" > "$work/nginx/stdout.log" 2>&1 &
nginx_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$nport/10k.txt" >/dev/null && break; sleep 0.05; done
curl -sf "http://127.0.0.1:$rport/10k.txt" | cmp - "$work/www/10k.txt"
curl -sf "http://127.0.0.1:$nport/10k.txt" | cmp - "$work/www/10k.txt"
curl -sf --cacert "$work/cert.pem" "https://127.0.0.1:$rsport/10k.txt" | cmp - "$work/www/10k.txt"
curl -sf --cacert "$work/cert.pem" "https://127.0.0.1:$nsport/10k.txt" | cmp - "$work/www/10k.txt"

# wrk --latency prints "50%  1.23ms"; normalise to milliseconds.
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; printf "%.2f", v}'; }
declare -A RPS P50 P99 ALL
TARGETS="rivulet_healthz rivulet_static nginx_static rivulet_static_tls nginx_static_tls"
run() {  # name url
  local out
  out=$(wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$2")
  RPS[$1]=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  ALL[$1]+="${RPS[$1]} "
  P50[$1]=$(awk '$1=="50%" {print $2}' <<<"$out" | to_ms)
  P99[$1]=$(awk '$1=="99%" {print $2}' <<<"$out" | to_ms)
  if grep -q "Non-2xx" <<<"$out"; then echo "warning: $1 had non-2xx responses"; fi
}

echo "load: $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) on $(nproc) cores before the runs"
for round in $(seq "$ROUNDS"); do
  run rivulet_healthz "http://127.0.0.1:$rport/healthz"
  run rivulet_static "http://127.0.0.1:$rport/10k.txt"
  run nginx_static "http://127.0.0.1:$nport/10k.txt"
  run rivulet_static_tls "https://127.0.0.1:$rsport/10k.txt"
  run nginx_static_tls "https://127.0.0.1:$nsport/10k.txt"
  printf '\nround %s: wrk -t%s -c%s -d%s (127.0.0.1)\n' "$round" "$WRK_THREADS" "$CONNECTIONS" "$DURATION"
  printf '%-18s %12s %10s %10s\n' target "requests/s" "p50 ms" "p99 ms"
  for k in $TARGETS; do
    printf '%-18s %12s %10s %10s\n' "$k" "${RPS[$k]}" "${P50[$k]}" "${P99[$k]}"
  done
  ratio=$(awk -v a="${RPS[rivulet_static]}" -v b="${RPS[nginx_static]}" 'BEGIN {printf "%.2f", a/b}')
  echo "static 10 KB throughput rivulet/nginx: ${ratio}x (target >= 0.90)"
  ratio=$(awk -v a="${RPS[rivulet_static_tls]}" -v b="${RPS[nginx_static_tls]}" 'BEGIN {printf "%.2f", a/b}')
  echo "static 10 KB over TLS rivulet/nginx: ${ratio}x"
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
if (( ROUNDS > 1 )); then
  echo
  echo "median requests/s over $ROUNDS interleaved rounds:"
  for k in $TARGETS; do
    printf '%-18s %12s   (%s)\n' "$k" "$(median <<<"${ALL[$k]}")" "${ALL[$k]% }"
  done
  ratio=$(awk -v a="$(median <<<"${ALL[rivulet_static]}")" -v b="$(median <<<"${ALL[nginx_static]}")" \
    'BEGIN {printf "%.2f", a/b}')
  echo "median static 10 KB throughput rivulet/nginx: ${ratio}x (target >= 0.90)"
  ratio=$(awk -v a="$(median <<<"${ALL[rivulet_static_tls]}")" -v b="$(median <<<"${ALL[nginx_static_tls]}")" \
    'BEGIN {printf "%.2f", a/b}')
  echo "median static 10 KB over TLS rivulet/nginx: ${ratio}x"
fi
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) after the runs"
