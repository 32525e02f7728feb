#!/usr/bin/env bash
# Side-by-side HTTP reverse-proxy throughput and latency on loopback, in one run:
#   nginx (Debian package) as a reverse proxy on 127.0.0.1:$NGINX_PORT
#   isthmus ingress serve (the Netty/epoll Ingress proxy) on 127.0.0.1:$ISTHMUS_PORT
# both proxying to the SAME echo backend (a separate nginx process, 1 worker, on
# 127.0.0.1:$BACKEND_PORT, answering every request with a 64-byte body), both with keep-alive
# connections to the backend and the same forwarding headers (X-Forwarded-For/-Proto, X-Real-IP).
#
# Like with like: the proxies get the same number of threads (nginx worker_processes = isthmus
# event loops, THREADS, default 2: one per core of the 2-vCPU machine, as the agent runs the proxy
# with threads 0) and the same placement. PIN=1 pins both proxies with taskset to PROXY_CPUS
# (default the last CPU) and wrk and the backend to LOAD_CPUS (the others); use it with THREADS=1
# (one nginx worker against one event loop on one CPU; the JVM then sees one CPU and picks the
# Serial collector itself). Pinning is off by default: on this 2-vCPU machine shared with other
# builds it did not make the rounds steadier (p99 spread wider than unpinned), and it leaves wrk
# and the backend one CPU, so they limit the rate before either proxy does (see RESULTS.md).
#
# Two client modes, both reported: keep-alive (wrk's default: each of CONNECTIONS connections
# sends request after request) and close (wrk sends "Connection: close": a new TCP connection per
# request, accept and close included). wrk drives each proxy for SECONDS_EACH s per run; each
# round runs every (mode, proxy) once, the two proxies in alternating order from round to round
# (ABBA: neither always runs first); the tables give the median of ROUNDS rounds for requests/s
# and for p99. Before the measured rounds, each proxy gets an uncounted warm-up of WARMUP_SECONDS
# per mode (the JVM compiles its hot path during the first seconds under load). The script also
# prints each proxy's CPU time per run (from /proc: requests per proxy CPU-second, the fair figure
# on a shared, noisy machine). NICE=-10 (root) runs every process of the benchmark (backend, both
# proxies, wrk) at that priority, so that other work on the machine disturbs the comparison less.
# ISTHMUS_JAVA_OPTS reaches the isthmus JVM (e.g. a GC choice); the run prints what it was.
# VARIANT_OPTS (A/B of a proxy change in one run): when set, a second `isthmus ingress serve`
# ("variant", on VARIANT_PORT) runs with ISTHMUS_JAVA_OPTS plus VARIANT_OPTS (e.g. a -D switch or a
# GC flag) and joins the rotation; the summary gives its ratios to nginx and to the first isthmus.
#
# Mode close opens 10-16k connections a second, all from 127.0.0.1 to one port: the machine's
# ephemeral range (32768-60999, 28k ports) is used up within 2-3 s, after which every connect()
# reuses a port whose connection is still in TIME_WAIT, and rounds of EITHER proxy show 150-700 ms
# p99 spikes while the proxy is idle (most likely connection set-up in the client, not the proxy). Each close run prints how
# many TIME_WAIT entries were reused (TWRecycled, from nstat). PORT_RANGE="1024 65000" (root, opt-in)
# widens net.ipv4.ip_local_port_range for the run and puts the old value back on exit; it is a
# machine-wide setting: only on a machine nobody else is using.
#
# Usage: benchmarks/ingress/run.sh [SECONDS_EACH]     (default 5; needs root to apt-get what is missing)
# Bounded: about 4 * ROUNDS * SECONDS_EACH + 4 * WARMUP_SECONDS + start-up. Everything it starts is
# stopped and its temp dir removed on any exit.
set -euo pipefail
SECONDS_EACH=${1:-5}
WARMUP_SECONDS=${WARMUP_SECONDS:-15}   # per proxy and mode, not counted
ROUNDS=${ROUNDS:-5}
THREADS=${THREADS:-2}          # proxy threads: nginx workers and isthmus event loops
CONNECTIONS=${CONNECTIONS:-64} # wrk connections
WRK_THREADS=${WRK_THREADS:-2}
MODES=${MODES:-keepalive close}
BACKEND_PORT=${BACKEND_PORT:-18380}
NGINX_PORT=${NGINX_PORT:-18381}
ISTHMUS_PORT=${ISTHMUS_PORT:-18382}
VARIANT_PORT=${VARIANT_PORT:-18383}
VARIANT_OPTS=${VARIANT_OPTS:-}
proxies=(nginx isthmus)
[ -n "$VARIANT_OPTS" ] && proxies+=(variant)
NICE=${NICE:-0}
CPUS=$(nproc)
PIN=${PIN:-0}
PROXY_CPUS=${PROXY_CPUS:-$((CPUS - 1))}
LOAD_CPUS=${LOAD_CPUS:-0-$((CPUS > 1 ? CPUS - 2 : 0))}
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
for port in "$BACKEND_PORT" "$NGINX_PORT" "$ISTHMUS_PORT" $([ -n "$VARIANT_OPTS" ] && echo "$VARIANT_PORT"); do
  if ss -ltnH "sport = :$port" | grep -q .; then echo "port $port is in use; set BACKEND_PORT/NGINX_PORT/ISTHMUS_PORT" >&2; exit 1; fi
done

if [ "$NICE" != 0 ]; then
  renice -n "$NICE" -p $$ >/dev/null   # children inherit it
  # With autogroup scheduling (Linux's default for sessions), a process's nice value only ranks it
  # within its session's group; the group itself competes with the others' builds by ITS nice value.
  # The group is the caller's whole session (its shell, and whatever it starts later): its old
  # nice value is put back on exit (cleanup), or the session would go on running above the others.
  if [ -w /proc/$$/autogroup ]; then
    old_autogroup_nice=$(awk '{print $3}' /proc/$$/autogroup)
    echo "$NICE" >/proc/$$/autogroup
  fi
fi
work=$(mktemp -d /tmp/isthmus-ingress-bench.XXXXXX)
export NSTAT_HISTORY="$work/nstat.history"   # nstat's counters since OUR last call, not another user's
pids=()
old_port_range=
cleanup() {
  if [ -n "${old_autogroup_nice:-}" ]; then echo "$old_autogroup_nice" >/proc/$$/autogroup 2>/dev/null || true; fi
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "$old_port_range" ]; then sysctl -q -w net.ipv4.ip_local_port_range="$old_port_range" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
if [ -n "${PORT_RANGE:-}" ]; then
  old_port_range=$(sysctl -n net.ipv4.ip_local_port_range | tr -s '\t ' ' ')
  sysctl -q -w net.ipv4.ip_local_port_range="$PORT_RANGE"
fi

# taskset execs the command: $! is the proxy's (or backend's) own pid.
on_proxy=(); on_load=()
if [ "$PIN" = 1 ]; then on_proxy=(taskset -c "$PROXY_CPUS"); on_load=(taskset -c "$LOAD_CPUS"); fi

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
"${on_load[@]}" /usr/sbin/nginx -p "$work/backend" -c "$work/backend/nginx.conf" 2>"$work/backend/stderr" &
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
"${on_proxy[@]}" /usr/sbin/nginx -p "$work/proxy" -c "$work/proxy/nginx.conf" 2>"$work/proxy/stderr" &
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
ISTHMUS_NO_BUILD=1 "${on_proxy[@]}" "$ROOT/isthmus" ingress serve -f "$work/cluster" --bind 127.0.0.1 --http-port "$ISTHMUS_PORT" \
  --threads "$THREADS" >"$work/isthmus.log" 2>&1 &
pids+=($!)
isthmus_pid=$!
variant_pid=
if [ -n "$VARIANT_OPTS" ]; then
  ISTHMUS_NO_BUILD=1 ISTHMUS_JAVA_OPTS="${ISTHMUS_JAVA_OPTS:-} $VARIANT_OPTS" "${on_proxy[@]}" "$ROOT/isthmus" ingress serve -f "$work/cluster" \
    --bind 127.0.0.1 --http-port "$VARIANT_PORT" --threads "$THREADS" >"$work/variant.log" 2>&1 &
  pids+=($!)
  variant_pid=$!
fi

port_of() { case "$1" in nginx) echo "$NGINX_PORT" ;; isthmus) echo "$ISTHMUS_PORT" ;; *) echo "$VARIANT_PORT" ;; esac; }
pid_of() { case "$1" in nginx) echo "$nginx_pid" ;; isthmus) echo "$isthmus_pid" ;; *) echo "$variant_pid" ;; esac; }
wait_for() { # port
  for _ in $(seq 1 150); do
    curl -s -o /dev/null -m 1 -H 'Host: bench.local' "http://127.0.0.1:$1/" && return 0
    sleep 0.2
  done
  echo "nothing answers on 127.0.0.1:$1" >&2
  cat "$work"/*/stderr "$work"/*.log >&2 2>/dev/null || true
  exit 1
}
wait_for "$BACKEND_PORT"
for proxy in "${proxies[@]}"; do wait_for "$(port_of "$proxy")"; done
for proxy in "${proxies[@]}"; do
  port=$(port_of "$proxy")
  body=$(curl -s -m 10 -H 'Host: bench.local' "http://127.0.0.1:$port/" || true)
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
measure() { # proxy mode seconds record(0|1)
  local out rps p99 errors before after requests per_cpu pid close=() tw=
  pid=$(pid_of "$1")
  [ "$2" = close ] && close=(-H 'Connection: close')
  before=$(cpu_ticks "$pid")
  command -v nstat >/dev/null && nstat -n >/dev/null 2>&1 || true
  out=$("${on_load[@]}" wrk -t "$WRK_THREADS" -c "$CONNECTIONS" -d "${3}s" --latency -H 'Host: bench.local' "${close[@]}" \
        "http://127.0.0.1:$(port_of "$1")/" 2>&1)
  after=$(cpu_ticks "$pid")
  if [ "$2" = close ] && command -v nstat >/dev/null; then
    tw="TIME_WAIT reused $(nstat 2>/dev/null | awk '$1 == "TcpExtTWRecycled" {print $2}' || true)"
  fi
  rps=$(echo "$out" | awk '/^Requests\/sec:/ {print $2}')
  requests=$(echo "$out" | awk '/requests in/ {print $1}')
  p99=$(to_ms "$(echo "$out" | awk '$1 == "99%" {print $2}')")
  errors=$(echo "$out" | awk '/Non-2xx or 3xx responses|Socket errors/ {print}' | tr '\n' ' ')
  per_cpu=$(awk -v r="$requests" -v t="$((after - before))" -v hz="$hz" 'BEGIN { if (t > 0) printf "%.0f", r / (t / hz); else print 0 }')
  if [ "$4" = 1 ]; then
    echo "$2 $1 $rps $p99 $per_cpu" >>"$results"
  fi
  printf "%-9s %-8s %-7s requests/s %10s   p99 %8s ms   proxy CPU %5.2f s   requests per proxy CPU-second %8s   %s\n" \
    "$2" "$1" "$([ "$4" = 1 ] && echo "" || echo "warm-up")" "$rps" "$p99" \
    "$(awk -v t="$((after - before))" -v hz="$hz" 'BEGIN{print t/hz}')" "$per_cpu" "$tw $errors"
}

echo "wrk $(dpkg-query -W -f='${Version}' wrk 2>/dev/null || echo '?'); nginx $(dpkg-query -W -f='${Version}' nginx 2>/dev/null || echo '?'); $CPUS CPUs; load $(cut -d' ' -f1-3 /proc/loadavg)"
grep -m1 'serving' "$work/isthmus.log" || true
echo "isthmus JVM: $("$(readlink -f "/proc/$isthmus_pid/exe")" -version 2>&1 | head -1 || true); $("$(dirname "$(readlink -f "/proc/$isthmus_pid/exe")")/jcmd" "$isthmus_pid" VM.flags -all 2>/dev/null | awk '$2 ~ /^Use(Serial|Parallel|G1|Z|Shenandoah|Epsilon)GC$/ && $4 == "true" {print $2}' || true); ISTHMUS_JAVA_OPTS='${ISTHMUS_JAVA_OPTS:-}'${VARIANT_OPTS:+; variant: VARIANT_OPTS='$VARIANT_OPTS'}"
if [ "$PIN" = 1 ]; then
  echo "pinned: both proxies on CPU $PROXY_CPUS, wrk and backend on CPU $LOAD_CPUS (taskset)"
else
  echo "not pinned (PIN=0): every process may run on any CPU"
fi
echo "ephemeral ports $(sysctl -n net.ipv4.ip_local_port_range | tr -s '\t ' ' ')${PORT_RANGE:+ (PORT_RANGE, restored on exit)}"
echo "nice $NICE ($(cat /proc/$$/autogroup 2>/dev/null || echo 'no autogroup')); modes: $MODES; each run ${SECONDS_EACH}s, $ROUNDS rounds (proxies in alternating order), after an uncounted ${WARMUP_SECONDS}s warm-up per proxy and mode; wrk -t$WRK_THREADS -c$CONNECTIONS; proxy threads $THREADS; backend nginx 1 worker"
for mode in $MODES; do
  for proxy in "${proxies[@]}"; do measure "$proxy" "$mode" "$WARMUP_SECONDS" 0; done
done
for round in $(seq 1 "$ROUNDS"); do
  if [ $((round % 2)) = 1 ]; then order="${proxies[*]}"; else order=$(printf '%s\n' "${proxies[@]}" | tac | tr '\n' ' '); fi
  for mode in $MODES; do
    for proxy in $order; do
      measure "$proxy" "$mode" "$SECONDS_EACH" 1
    done
  done
done
awk -v rounds="$ROUNDS" -v proxies="${proxies[*]}" '
  { key = $1 " " $2; rps[key] = rps[key] " " $3; p99[key] = p99[key] " " $4; cpu[key] = cpu[key] " " $5; modes[$1] = 1 }
  function median(list,   a, n, i, j, t) {
    n = split(list, a, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  END {
    printf "\n| client mode | proxy | requests/s (median of %d) | p99 ms (median of %d) | requests per proxy CPU-second (median) |\n|---|---|---|---|---|\n", rounds, rounds
    np = split(proxies, names, " ")
    for (m in modes) {
      for (k = 1; k <= np; k++) {
        p = names[k]
        printf "| %s | %s | %.0f | %.2f | %.0f |\n", m, p, median(rps[m " " p]), median(p99[m " " p]), median(cpu[m " " p])
      }
    }
    printf "\n"
    for (m in modes) {
      ni = median(rps[m " isthmus"]); nn = median(rps[m " nginx"]); pi = median(p99[m " isthmus"]); pn = median(p99[m " nginx"])
      ci = median(cpu[m " isthmus"]); cn = median(cpu[m " nginx"])
      printf "%s: isthmus / nginx: requests/s %.2fx, p99 %.2fx, requests per CPU-second %.2fx -> %s\n", m, ni / nn, pi / pn, ci / cn,
        (ni / nn >= 0.8 && pi <= pn) ? "target met (>= 0.80x requests/s at p99 no worse)" : "target NOT met (>= 0.80x requests/s at p99 no worse)"
      if (np > 2) {
        nv = median(rps[m " variant"]); pv = median(p99[m " variant"]); cv = median(cpu[m " variant"])
        printf "%s: variant / nginx: requests/s %.2fx, p99 %.2fx, requests per CPU-second %.2fx; variant / isthmus: requests/s %.2fx, p99 %.2fx, per CPU-second %.2fx\n",
          m, nv / nn, pv / pn, cv / cn, nv / ni, pv / pi, cv / ci
      }
    }
  }' "$results"
