#!/usr/bin/env bash
# Side-by-side HTTP reverse-proxy throughput on loopback, in one run:
#   nginx (Debian package) as a reverse proxy on 127.0.0.1:$NGINX_PORT
#   isthmus ingress serve (the Netty/epoll Ingress proxy) on 127.0.0.1:$ISTHMUS_PORT
# both proxying to the SAME echo backend (a separate nginx process, 1 worker, on
# 127.0.0.1:$BACKEND_PORT, answering every request with a 64-byte body), both with keep-alive
# connections to the backend and the same forwarding headers (X-Forwarded-For/-Proto, X-Real-IP).
# The proxies get the same number of threads (nginx worker_processes = isthmus event loops).
# wrk (Debian package) drives each for $SECONDS_EACH s after a warm-up, in alternating rounds, and
# the script prints requests/s and p99 latency per run and the ratio isthmus / nginx, and the
# proxy's CPU time per run (from /proc: requests per proxy CPU-second, the fair figure on a shared,
# noisy machine). NICE=-10 (root) runs every process of the benchmark (backend, both proxies, wrk)
# at that priority, so that other work on the machine disturbs the comparison less; both sides alike.
#
# Usage: benchmarks/ingress/run.sh [SECONDS_EACH]     (default 5; needs root to apt-get what is missing)
# Bounded: about 2 * ROUNDS * SECONDS_EACH + 2 * WARMUP_SECONDS + start-up. Everything it starts is
# stopped and its temp dir removed on any exit.
set -euo pipefail
SECONDS_EACH=${1:-5}
WARMUP_SECONDS=${WARMUP_SECONDS:-15}   # the JVM compiles its hot path during the first seconds under load
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-2}          # proxy threads: nginx workers and isthmus event loops
CONNECTIONS=${CONNECTIONS:-64} # wrk connections
WRK_THREADS=${WRK_THREADS:-2}
BACKEND_PORT=${BACKEND_PORT:-18380}
NGINX_PORT=${NGINX_PORT:-18381}
ISTHMUS_PORT=${ISTHMUS_PORT:-18382}
NICE=${NICE:-0}
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)

need=()
[ -x /usr/sbin/nginx ] || need+=(nginx)
command -v wrk >/dev/null || need+=(wrk)
command -v curl >/dev/null || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=300 update -qq >&2
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${need[@]}" >&2
fi
for port in "$BACKEND_PORT" "$NGINX_PORT" "$ISTHMUS_PORT"; do
  if ss -ltnH "sport = :$port" | grep -q .; then echo "port $port is in use; set BACKEND_PORT/NGINX_PORT/ISTHMUS_PORT" >&2; exit 1; fi
done

if [ "$NICE" != 0 ]; then renice -n "$NICE" -p $$ >/dev/null; fi   # children inherit it
work=$(mktemp -d /tmp/isthmus-ingress-bench.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 1. The echo backend: its own nginx, one worker, a fixed 64-byte answer.
mkdir -p "$work/backend" "$work/proxy"
cat >"$work/backend/nginx.conf" <<CONF
daemon off;
master_process on;
worker_processes 1;
pid $work/backend/nginx.pid;
error_log $work/backend/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/backend; proxy_temp_path $work/backend; fastcgi_temp_path $work/backend;
  uwsgi_temp_path $work/backend; scgi_temp_path $work/backend;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$BACKEND_PORT reuseport backlog=4096;
    location / { default_type text/plain; return 200 "echo backend: 64 bytes of body, the same for every request......\n"; }
  }
}
CONF
/usr/sbin/nginx -p "$work/backend" -c "$work/backend/nginx.conf" 2>"$work/backend/stderr" &
pids+=($!)

# 2. nginx as the reverse proxy (what ingress-nginx configures: HTTP/1.1 upstream keep-alive, forwarding headers).
cat >"$work/proxy/nginx.conf" <<CONF
daemon off;
master_process on;
worker_processes $THREADS;
pid $work/proxy/nginx.pid;
error_log $work/proxy/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/proxy; proxy_temp_path $work/proxy; fastcgi_temp_path $work/proxy;
  uwsgi_temp_path $work/proxy; scgi_temp_path $work/proxy;
  keepalive_requests 1000000;
  upstream echo { server 127.0.0.1:$BACKEND_PORT; keepalive 64; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:$NGINX_PORT backlog=4096;
    location / {
      proxy_pass http://echo;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_set_header X-Real-IP \$remote_addr;
    }
  }
}
CONF
/usr/sbin/nginx -p "$work/proxy" -c "$work/proxy/nginx.conf" 2>"$work/proxy/stderr" &
pids+=($!)
nginx_pid=$!

# 3. isthmus ingress serve over an Ingress whose Service's EndpointSlice is the echo backend.
mkdir -p "$work/cluster"
cat >"$work/cluster/bench.yaml" <<YAML
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: bench, namespace: default}
spec:
  rules:
  - host: bench.local
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: echo, port: {number: 80}}}}
---
apiVersion: v1
kind: Service
metadata: {name: echo, namespace: default}
spec:
  ports: [{name: http, port: 80, targetPort: $BACKEND_PORT, protocol: TCP}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: echo-1, namespace: default, labels: {kubernetes.io/service-name: echo}}
addressType: IPv4
ports: [{name: http, port: $BACKEND_PORT, protocol: TCP}]
endpoints: [{addresses: ["127.0.0.1"], conditions: {ready: true}}]
YAML
"$ROOT/isthmus" help >/dev/null 2>&1 || true   # builds on first use
ISTHMUS_NO_BUILD=1 "$ROOT/isthmus" ingress serve -f "$work/cluster" --bind 127.0.0.1 --http-port "$ISTHMUS_PORT" \
  --threads "$THREADS" >"$work/isthmus.log" 2>&1 &
pids+=($!)
isthmus_pid=$!

wait_for() { # port
  for _ in $(seq 1 150); do
    curl -s -o /dev/null -m 1 -H 'Host: bench.local' "http://127.0.0.1:$1/" && return 0
    sleep 0.2
  done
  echo "nothing answers on 127.0.0.1:$1" >&2
  cat "$work"/*/stderr "$work/isthmus.log" >&2 2>/dev/null || true
  exit 1
}
wait_for "$BACKEND_PORT"; wait_for "$NGINX_PORT"; wait_for "$ISTHMUS_PORT"
for port in "$NGINX_PORT" "$ISTHMUS_PORT"; do
  body=$(curl -s -m 2 -H 'Host: bench.local' "http://127.0.0.1:$port/")
  [ "${#body}" -ge 60 ] || { echo "127.0.0.1:$port does not relay the backend's answer: '$body'" >&2; exit 1; }
done

to_ms() { # wrk latency such as 1.23ms, 850.00us, 1.02s
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'
}
results="$work/results.txt"
: >"$results"
cpu_ticks() { # pid: utime + stime of it and its children processes (nginx workers)
  local total=0 p
  for p in "$1" $(pgrep -P "$1" || true); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}
hz=$(getconf CLK_TCK)
measure() { # name port seconds record pid
  local out rps p99 errors before after requests per_cpu
  before=$(cpu_ticks "$5")
  out=$(wrk -t "$WRK_THREADS" -c "$CONNECTIONS" -d "${3}s" --latency -H 'Host: bench.local' "http://127.0.0.1:$2/" 2>&1)
  after=$(cpu_ticks "$5")
  rps=$(echo "$out" | awk '/^Requests\/sec:/ {print $2}')
  requests=$(echo "$out" | awk '/requests in/ {print $1}')
  p99=$(to_ms "$(echo "$out" | awk '$1 == "99%" {print $2}')")
  errors=$(echo "$out" | awk '/Non-2xx or 3xx responses|Socket errors/ {print}' | tr '\n' ' ')
  per_cpu=$(awk -v r="$requests" -v t="$((after - before))" -v hz="$hz" 'BEGIN { if (t > 0) printf "%.0f", r / (t / hz); else print 0 }')
  if [ "$4" = 1 ]; then
    echo "$1 $rps $p99 $per_cpu" >>"$results"
    printf "%-8s requests/s %10s   p99 %8s ms   proxy CPU %5.2f s   requests per proxy CPU-second %8s   %s\n" \
      "$1" "$rps" "$p99" "$(awk -v t="$((after - before))" -v hz="$hz" 'BEGIN{print t/hz}')" "$per_cpu" "$errors"
  fi
}

echo "wrk $(dpkg-query -W -f='${Version}' wrk 2>/dev/null || echo '?'); nginx $(dpkg-query -W -f='${Version}' nginx 2>/dev/null || echo '?'); $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg)"
grep -m1 'serving' "$work/isthmus.log" || true
echo "nice $NICE; each run ${SECONDS_EACH}s, $ROUNDS rounds after ${WARMUP_SECONDS}s warm-up each; wrk -t$WRK_THREADS -c$CONNECTIONS; proxy threads $THREADS; backend nginx 1 worker"
measure nginx "$NGINX_PORT" "$WARMUP_SECONDS" 0 "$nginx_pid"
measure isthmus "$ISTHMUS_PORT" "$WARMUP_SECONDS" 0 "$isthmus_pid"
for _ in $(seq 1 "$ROUNDS"); do
  measure nginx "$NGINX_PORT" "$SECONDS_EACH" 1 "$nginx_pid"
  measure isthmus "$ISTHMUS_PORT" "$SECONDS_EACH" 1 "$isthmus_pid"
done
awk '
  { rps[$1] = rps[$1] " " $2; p99[$1] = p99[$1] " " $3; cpu[$1] = cpu[$1] " " $4 }
  function median(list,   a, n, i, j, t) {
    n = split(list, a, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  END {
    ni = median(rps["isthmus"]); nn = median(rps["nginx"]); pi = median(p99["isthmus"]); pn = median(p99["nginx"])
    ci = median(cpu["isthmus"]); cn = median(cpu["nginx"])
    printf "\n| proxy | requests/s (median) | p99 ms (median) | requests per proxy CPU-second (median) |\n|---|---|---|---|\n"
    printf "| nginx | %.0f | %.2f | %.0f |\n| isthmus | %.0f | %.2f | %.0f |\n", nn, pn, cn, ni, pi, ci
    printf "\nisthmus / nginx: requests/s %.2fx, p99 %.2fx, requests per CPU-second %.2fx (target: >= 0.80x requests/s at p99 no worse)\n", ni / nn, pi / pn, ci / cn
  }' "$results"
