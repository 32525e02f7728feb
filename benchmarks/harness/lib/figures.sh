# shellcheck shell=bash
# The figures, each measured the same way whatever the dataplane (MODE) is:
#   fig_pps MODE FIGURE FLOWS DST PORT SINKS...  64-byte UDP packets a second: isthmus pktgen on
#       AF_XDP in pod A, isthmus pktgen --rx on AF_XDP in each sink pod (the sum of their rates)
#   fig_tcp MODE                                 TCP Gbps, iperf3 pod A -> pod B1
#   fig_http MODE FIGURE keepalive|close         HTTP requests a second through the ClusterIP,
#       wrk in pod A, nginx in the three backends; with `Connection: close` every request is a new
#       connection, so the figure is new connections a second
# Each leaves "VALUE UNIT|NOTE" in FIG_RESULT (not on stdout: the figure's processes must be
# children of the main shell, for the undo stack); the CPU used during a window in the middle of the load
# is left in CPU_CORES (gen = the load generator, dp = the dataplane's process, other = the sinks
# or servers, softirq = every CPU's irq + softirq time). Sourced by dataplanes.sh.

pktgen() { ISTHMUS_NO_BUILD=1 "$ISTHMUS" pktgen "$@"; }

# ISX_PPS_RATE=N: the pps figures' generator offers N packets a second instead of all it can (a
# diagnosis, not a figure: at a rate every dataplane forwards, dp_cores / pps is the dataplane's CPU
# per packet; with ISTHMUS_IDLE=backoff for the Isthmus modes, whose busy-spinning worker otherwise
# shows a whole core whatever it forwards). The sinks park up to 1 ms when nothing comes (two of the
# three sinks of a 1-flow ClusterIP figure never receive; RESULTS.md, "Session 5 (clusterip)").

# The sinks' idle strategy (ISX_SINK_IDLE, default batch): a sink polls again at once after a full
# batch and otherwise parks 200 µs (1 ms while nothing comes), so each wakes a few thousand times a
# second instead of tens of thousands; `backoff` is Agrona's spin/yield/park from 1 µs (up to
# session 5). The same sinks for every dataplane (RESULTS.md, "Session 6 (clusterip)").
SINK_IDLE=${ISX_SINK_IDLE:-batch}

# Every load runs DURATION + 3 s; the CPU window opens once the load is steady (about 1.5 s in)
# and lasts DURATION - 1 s, so it closes before the load ends even on a busy machine.
LOAD_S() { echo $((DURATION + 3)); }
window_s() { echo $((DURATION - 1)); }

fig_pps() {
  local mode=$1 figure=$2 flows=$3 dst=$4 port=$5
  shift 5
  local sinks=("$@") sink_pids=() i pid gen dir=$WORK/$mode-$figure
  mkdir -p "$dir"
  warm_paths || log "$mode: the pods do not all reach each other before $figure"
  for i in "${sinks[@]}"; do
    start_bg pid $((DURATION + 130)) "$dir/rx$i.out" "$dir/rx$i.err" \
      env ISTHMUS_NO_BUILD=1 "$ISTHMUS" pktgen --rx --netns "${NS_B[$i]}" --dst-port "$UDP_TARGET_PORT" --duration $((DURATION + 100)) --idle "$SINK_IDLE"
    sink_pids+=("$pid")
  done
  for i in "${sinks[@]}"; do
    wait_for 40 "the sink in ${NS_B[$i]}" grep -q 'counting frames' "$dir/rx$i.err" || { cat "$dir/rx$i.err" >&2; FIG_RESULT="0 pps|the sink did not start"; return 0; }
  done
  start_bg gen $((DURATION + 60)) "$dir/tx.out" "$dir/tx.err" \
    env ISTHMUS_NO_BUILD=1 "$ISTHMUS" pktgen --netns "$NS_A" --dst-ip "$dst" --dst-port "$port" --size 64 --flows "$flows" --duration "$(LOAD_S)" \
    ${ISX_PPS_RATE:+--rate "$ISX_PPS_RATE"}
  if wait_for 40 "the generator's first second" grep -q 'pktgen tx: [0-9,]* pps' "$dir/tx.err"; then
    cpu_begin "gen=$gen" "dp=$DP_PIDS" "other=${sink_pids[*]}"
    [ "${ISX_DEBUG:-}" = 1 ] && log "cpu window from $(date +%T.%N)"
    sleep "$(window_s)"
    cpu_end
    [ "${ISX_DEBUG:-}" = 1 ] && log "cpu window to $(date +%T.%N)"
  else
    cat "$dir/tx.err" >&2
  fi
  wait "$gen" 2>/dev/null || true
  sleep 0.5
  for pid in "${sink_pids[@]}"; do stop_bg "$pid"; done
  local sent rate per
  sent=$(sed -n 's/.*sent=\([0-9]*\).*/\1/p' "$dir/tx.out")
  per=$(for i in "${sinks[@]}"; do sed -n 's/.*received=\([0-9]*\).*rate_pps=\([0-9]*\).*/\2/p' "$dir/rx$i.out"; done | paste -sd' ')
  rate=$(echo "$per" | awk '{ s = 0; for (i = 1; i <= NF; i++) s += $i; print s }')
  log "$mode $figure: generator sent ${sent:-nothing}; sinks: ${per:-nothing} pps"
  FIG_RESULT="${rate:-0} pps|sent ${sent:-?}"
  [ "${#sinks[@]}" -gt 1 ] && FIG_RESULT+="; per backend ${per// /+}"
  return 0
}

fig_tcp() {
  local mode=$1 dir=$WORK/$1-tcp srv cli
  mkdir -p "$dir"
  warm_paths || log "$mode: the pods do not all reach each other before tcp"
  start_bg_in "${NS_B[0]}" srv $((DURATION + 40)) "$dir/server.out" "$dir/server.err" iperf3 -s -1 -B "${IP_B[0]}" -p 5201
  wait_for 10 "iperf3 -s" sh -c "ip netns exec ${NS_B[0]} ss -ltn | grep -q ':5201 '" || { FIG_RESULT="0 Gbps|iperf3 -s did not start"; return 0; }
  start_bg_in "$NS_A" cli $((DURATION + 30)) "$dir/client.json" "$dir/client.err" iperf3 -c "${IP_B[0]}" -p 5201 -t "$(LOAD_S)" -J
  sleep 1.5
  cpu_begin "gen=$cli" "dp=$DP_PIDS" "other=$srv"
  sleep "$(window_s)"
  cpu_end
  wait "$cli" 2>/dev/null || true
  stop_bg "$srv"
  local gbps retr
  gbps=$(jq -r '.end.sum_received.bits_per_second // 0 | . / 1e9 | (. * 1000 | round) / 1000' "$dir/client.json" 2>/dev/null || echo 0)
  retr=$(jq -r '.end.sum_sent.retransmits // "?"' "$dir/client.json" 2>/dev/null || echo "?")
  log "$mode tcp: $gbps Gbps, $retr retransmits"
  FIG_RESULT="$gbps Gbps|$retr retransmits"
}

nginx_conf() { # backend index -> writes the config, prints its path
  local i=$1 d=$WORK/nginx$1
  mkdir -p "$d"
  cat >"$d/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $d/body; proxy_temp_path $d/proxy; fastcgi_temp_path $d/fastcgi;
  uwsgi_temp_path $d/uwsgi; scgi_temp_path $d/scgi;
  keepalive_requests 1000000;
  server {
    listen ${IP_B[$i]}:$TCP_TARGET_PORT backlog=4096;
    location / { return 200 "ok\n"; }
  }
}
NGINX
  echo "$d"
}

http_get_ok() { # through the ClusterIP from pod A, without curl
  local answer # (no pipe into grep -q: with pipefail an early exit of grep fails the pipe)
  answer=$(ip netns exec "$NS_A" timeout 3 bash -c "exec 3<>/dev/tcp/$CLUSTER_IP/$TCP_SERVICE_PORT && printf 'GET / HTTP/1.0\r\n\r\n' >&3 && cat <&3" 2>/dev/null) || true
  [[ "$answer" == *$'\n'ok* ]]
}

fig_http() {
  local mode=$1 figure=$2 style=$3 dir=$WORK/$1-$2 i pid servers=() d cli
  mkdir -p "$dir"
  warm_paths || log "$mode: the pods do not all reach each other before $figure"
  for i in 0 1 2; do
    d=$(nginx_conf "$i")
    start_bg_in "${NS_B[$i]}" pid $((DURATION + 60)) "$d/out" "$d/err" nginx -e "$d/error.log" -p "$d" -c "$d/nginx.conf"
    servers+=("$pid")
  done
  for i in 0 1 2; do
    wait_for 10 "nginx in ${NS_B[$i]}" sh -c "ip netns exec ${NS_B[$i]} ss -ltn | grep -q '${IP_B[$i]}:$TCP_TARGET_PORT '" \
      || { cat "$WORK/nginx$i/err" "$WORK/nginx$i/error.log" >&2; FIG_RESULT="0 $([ "$style" = close ] && echo conn/s || echo req/s)|nginx did not start"; return 0; }
  done
  wait_for 10 "an HTTP answer through the ClusterIP" http_get_ok || { FIG_RESULT="0 $([ "$style" = close ] && echo conn/s || echo req/s)|no HTTP answer through the ClusterIP"; for pid in "${servers[@]}"; do stop_bg "$pid"; done; return 0; }
  local header=()
  [ "$style" = close ] && header=(-H "Connection: close")
  start_bg_in "$NS_A" cli $((DURATION + 30)) "$dir/wrk.out" "$dir/wrk.err" \
    wrk -t 1 -c "$HTTP_CONNECTIONS" -d "$(LOAD_S)s" "${header[@]}" "http://$CLUSTER_IP:$TCP_SERVICE_PORT/"
  sleep 1.5
  cpu_begin "gen=$cli" "dp=$DP_PIDS" "other=${servers[*]}"
  sleep "$(window_s)"
  cpu_end
  wait "$cli" 2>/dev/null || true
  for pid in "${servers[@]}"; do stop_bg "$pid"; done
  local rps errors non2xx unit=req/s
  [ "$style" = close ] && unit=conn/s
  rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$dir/wrk.out")
  errors=$(sed -n 's/^ *Socket errors: //p' "$dir/wrk.out")
  non2xx=$(sed -n 's/^ *Non-2xx or 3xx responses: //p' "$dir/wrk.out")
  log "$mode $figure: ${rps:-nothing} requests/s${errors:+, socket errors: $errors}${non2xx:+, non-2xx: $non2xx}"
  [ -n "$rps" ] || cat "$dir/wrk.err" >&2
  FIG_RESULT="${rps:-0} $unit|$HTTP_CONNECTIONS connections${errors:+; socket errors $errors}${non2xx:+; non-2xx $non2xx}"
}
