# shellcheck shell=bash
# The dataplanes under test, one set of functions per mode MODE:
#   dp_MODE_title           what the row is called in the tables
#   dp_MODE_tools           commands it needs (a missing one skips the mode, visibly; @af_xdp: the
#                           kernel must open AF_XDP sockets)
#   dp_MODE_offloads        on|off|cni: the pods' eth0 offloads (cni: as Isthmus's CNI plugin leaves them, see
#                           set_pod_offloads; the 64-byte pps figures are sent by pktgen on AF_XDP in the pod, past
#                           its stack, so the pods' offloads change only how the dataplane attaches, not the packets)
#   dp_MODE_figures         the figures it takes part in
#   dp_MODE_start           makes it forward between the pods (after make_topology); sets DP_PIDS
#   dp_MODE_service         adds the ClusterIP (UDP CLUSTER_IP:5001 -> backends:9, TCP :80 -> :80,
#                           3 backends picked at random per connection); without support it sets
#                           SERVICE_REASON (what the tables say instead of a figure) and returns 3
# Everything a function makes goes onto the undo stack (lib/common.sh). Sourced by dataplanes.sh.

DP_PIDS=""

# ---- (a) the kernel routes the pods ------------------------------------------------------------
dp_kernel_title() { echo "kernel routing"; }
dp_kernel_tools() { echo "ip sysctl"; }
dp_kernel_offloads() { echo off; }
dp_kernel_figures() { echo "pps-pod-1 pps-pod-1000 tcp"; }
dp_kernel_start() {
  local before i
  before=$(sysctl -n net.ipv4.ip_forward)
  on_undo "sysctl -qw net.ipv4.ip_forward=$before"
  sysctl -qw net.ipv4.ip_forward=1
  for i in 0 1 2 3; do
    ip route add "${IPS[$i]}/32" dev "${HOSTS[$i]}"
    ip neigh replace "${IPS[$i]}" lladdr "$(pod_mac "${PODS[$i]}")" dev "${HOSTS[$i]}" nud permanent
  done
  # if a Service rule does not match, the ClusterIP is dropped here, never routed off the machine
  ip route add blackhole "$CLUSTER_IP/32"
  on_undo "ip route del blackhole $CLUSTER_IP/32"
  DP_PIDS=""
}
dp_kernel_service() { SERVICE_REASON="n/a (kernel routing alone has no Services; see iptables / nftables)"; return 3; }

# The same with the pods' offloads on (TSO/GSO, checksum): the TCP reference
dp_kernel_offload_title() { echo "kernel routing, pod offloads on"; }
dp_kernel_offload_tools() { dp_kernel_tools; }
dp_kernel_offload_offloads() { echo on; }
dp_kernel_offload_figures() { echo "tcp"; }
dp_kernel_offload_start() { dp_kernel_start; }
dp_kernel_offload_service() { dp_kernel_service; }

# ---- (b) kube-proxy's rules: iptables DNAT ----------------------------------------------------
# The shape of kube-proxy's iptables mode: PREROUTING -> a KUBE-SERVICES chain matching the
# ClusterIP and port -> a KUBE-SVC chain picking an endpoint with `statistic --mode random`
# (1/3, then 1/2, then the rest) -> KUBE-SEP chains doing the DNAT. The chains carry this run's tag
# and the jump only takes traffic from this run's client pod: nothing else on the host is touched.
dp_iptables_title() { echo "kernel + iptables DNAT"; }
dp_iptables_tools() { echo "ip sysctl iptables"; }
dp_iptables_offloads() { echo off; }
dp_iptables_figures() { echo "pps-cip-1 pps-cip-1000 http-rps http-cps"; }
dp_iptables_start() { dp_kernel_start; }
dp_iptables_service() {
  local svc=ISX-SERVICES-$TAG proto port target i chain n
  ISX_CHAINS=("$svc")
  on_undo "iptables_service_remove"
  iptables -t nat -N "$svc"
  iptables -t nat -I PREROUTING -i "$HOST_A" -m comment --comment "isthmus bench $TAG" -j "$svc"
  for proto in udp tcp; do
    if [ "$proto" = udp ]; then port=$UDP_SERVICE_PORT target=$UDP_TARGET_PORT; else port=$TCP_SERVICE_PORT target=$TCP_TARGET_PORT; fi
    chain=ISX-SVC-$proto-$TAG
    iptables -t nat -N "$chain"
    ISX_CHAINS+=("$chain")
    iptables -t nat -A "$svc" -d "$CLUSTER_IP/32" -p "$proto" --dport "$port" -j "$chain"
    for i in 0 1 2; do
      iptables -t nat -N "ISX-SEP-$proto$i-$TAG"
      ISX_CHAINS+=("ISX-SEP-$proto$i-$TAG")
      iptables -t nat -A "ISX-SEP-$proto$i-$TAG" -p "$proto" -j DNAT --to-destination "${IP_B[$i]}:$target"
      n=$((3 - i))
      if [ "$n" -gt 1 ]; then
        iptables -t nat -A "$chain" -m statistic --mode random --probability "$(awk -v n=$n 'BEGIN { printf "%.11f", 1 / n }')" -j "ISX-SEP-$proto$i-$TAG"
      else
        iptables -t nat -A "$chain" -j "ISX-SEP-$proto$i-$TAG"
      fi
    done
  done
}
iptables_service_remove() { # the jump first, then every chain emptied, then deleted
  local c
  iptables -t nat -D PREROUTING -i "$HOST_A" -m comment --comment "isthmus bench $TAG" -j "ISX-SERVICES-$TAG" 2>/dev/null || true
  for c in "${ISX_CHAINS[@]}"; do iptables -t nat -F "$c" 2>/dev/null || true; done
  for c in "${ISX_CHAINS[@]}"; do iptables -t nat -X "$c" 2>/dev/null || true; done
}

# ---- (b) kube-proxy's rules: nftables DNAT ----------------------------------------------------
# The shape of kube-proxy's nftables mode: a map from ClusterIP . protocol . port to a service
# chain, which picks an endpoint chain with `numgen random mod 3 vmap`, which does the DNAT. In a
# table of this run's own, removed at the end.
dp_nftables_title() { echo "kernel + nftables DNAT"; }
dp_nftables_tools() { echo "ip sysctl nft"; }
dp_nftables_offloads() { echo off; }
dp_nftables_figures() { dp_iptables_figures; }
dp_nftables_start() { dp_kernel_start; }
dp_nftables_service() {
  local table=isx_bench_$TAG
  on_undo "nft delete table ip $table"
  nft -f - <<NFT
table ip $table {
  map service-ips {
    type ipv4_addr . inet_proto . inet_service : verdict
    elements = { $CLUSTER_IP . udp . $UDP_SERVICE_PORT : goto svc-udp,
                 $CLUSTER_IP . tcp . $TCP_SERVICE_PORT : goto svc-tcp }
  }
  chain sep-udp-0 { meta l4proto udp dnat to ${IP_B[0]}:$UDP_TARGET_PORT; }
  chain sep-udp-1 { meta l4proto udp dnat to ${IP_B[1]}:$UDP_TARGET_PORT; }
  chain sep-udp-2 { meta l4proto udp dnat to ${IP_B[2]}:$UDP_TARGET_PORT; }
  chain sep-tcp-0 { meta l4proto tcp dnat to ${IP_B[0]}:$TCP_TARGET_PORT; }
  chain sep-tcp-1 { meta l4proto tcp dnat to ${IP_B[1]}:$TCP_TARGET_PORT; }
  chain sep-tcp-2 { meta l4proto tcp dnat to ${IP_B[2]}:$TCP_TARGET_PORT; }
  chain svc-udp { numgen random mod 3 vmap { 0 : goto sep-udp-0, 1 : goto sep-udp-1, 2 : goto sep-udp-2 }; }
  chain svc-tcp { numgen random mod 3 vmap { 0 : goto sep-tcp-0, 1 : goto sep-tcp-1, 2 : goto sep-tcp-2 }; }
  chain services { ip daddr . meta l4proto . th dport vmap @service-ips; }
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    iifname "$HOST_A" jump services
  }
}
NFT
}

# ---- (c) Open vSwitch, userspace datapath, AF_XDP ports ----------------------------------------
# A private ovsdb-server and ovs-vswitchd (database, sockets, pid files and logs in this run's
# work directory; OVS_RUNDIR etc. point there, so a system OVS, if any, is never contacted), one
# netdev bridge with the four host veths as `type=afxdp` ports (XDP native, copy mode, like the
# other AF_XDP dataplanes here), and OpenFlow rules that route: table 0 answers ARP for the
# gateway and sends IP to table 2, which sets the MACs, decrements the TTL and outputs by
# destination /32. The Service: packets to the ClusterIP, and from the backends, go through
# conntrack with NAT (zone 1); new connections to the ClusterIP pick a backend in a select group
# whose buckets commit a DNAT (how OVN builds load balancers).
OVS_PMD_MAXSLEEP_US=${OVS_PMD_MAXSLEEP_US:-0}
dp_ovs_title() { echo "OVS userspace datapath, AF_XDP"; }
dp_ovs_tools() { echo "@af_xdp ovsdb-server ovsdb-tool ovs-vswitchd ovs-vsctl ovs-ofctl ovs-appctl"; }
dp_ovs_offloads() { echo off; }
dp_ovs_figures() { echo "pps-pod-1 pps-pod-1000 tcp pps-cip-1 pps-cip-1000 http-rps http-cps"; }
ovs_vsctl() { ovs-vsctl --db="unix:$OVS_DIR/db.sock" --timeout=10 "$@"; }
ovs_ofctl() { ovs-ofctl --timeout=10 -O OpenFlow15 "$@"; }
dp_ovs_start() {
  OVS_DIR=$WORK/ovs
  OVS_BRIDGE=isxbr$TAG
  mkdir -p "$OVS_DIR"
  export OVS_RUNDIR=$OVS_DIR OVS_LOGDIR=$OVS_DIR OVS_DBDIR=$OVS_DIR OVS_SYSCONFDIR=$OVS_DIR
  ovsdb-tool create "$OVS_DIR/conf.db" /usr/share/openvswitch/vswitch.ovsschema
  local db vswitchd i
  start_bg db "$RUN_BOUND_S" "$OVS_DIR/ovsdb-server.out" "$OVS_DIR/ovsdb-server.err" \
    ovsdb-server "$OVS_DIR/conf.db" --remote="punix:$OVS_DIR/db.sock" --pidfile="$OVS_DIR/ovsdb-server.pid" \
    --unixctl="$OVS_DIR/ovsdb-server.ctl" --log-file="$OVS_DIR/ovsdb-server.log"
  wait_for 10 "ovsdb-server's socket" test -S "$OVS_DIR/db.sock" || return 1
  ovs_vsctl --no-wait init
  ovs_vsctl --no-wait set Open_vSwitch . other_config:pmd-maxsleep="$OVS_PMD_MAXSLEEP_US"
  start_bg vswitchd "$RUN_BOUND_S" "$OVS_DIR/ovs-vswitchd.out" "$OVS_DIR/ovs-vswitchd.err" \
    ovs-vswitchd "unix:$OVS_DIR/db.sock" --pidfile="$OVS_DIR/ovs-vswitchd.pid" \
    --unixctl="$OVS_DIR/ovs-vswitchd.ctl" --log-file="$OVS_DIR/ovs-vswitchd.log"
  # before stop_tree (pushed by start_bg) runs: let ovs-vswitchd remove its bridge and XDP programs
  on_undo "ip link del $OVS_BRIDGE"
  on_undo "ovs-appctl -T 5 -t $OVS_DIR/ovs-vswitchd.ctl exit --cleanup"
  wait_for 10 "ovs-vswitchd's control socket" test -S "$OVS_DIR/ovs-vswitchd.ctl" || return 1
  ovs_vsctl add-br "$OVS_BRIDGE" -- set bridge "$OVS_BRIDGE" datapath_type=netdev fail-mode=secure
  for i in 0 1 2 3; do
    ovs_vsctl add-port "$OVS_BRIDGE" "${HOSTS[$i]}" -- set interface "${HOSTS[$i]}" type=afxdp \
      options:xdp-mode=native ofport_request=$((i + 1))
  done
  wait_for 15 "the AF_XDP ports" ovs_ports_ready || { tail -20 "$OVS_DIR/ovs-vswitchd.log" >&2; return 1; }
  local flows=$OVS_DIR/flows
  : >"$flows"
  for i in 0 1 2 3; do
    local gw; gw=$(host_mac "${HOSTS[$i]}")
    # ARP for the gateway, answered from the port's own host veth MAC
    echo "table=0,priority=300,in_port=$((i + 1)),arp,arp_op=1,arp_tpa=169.254.1.1,actions=move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],set_field:$gw->eth_src,set_field:2->arp_op,move:NXM_NX_ARP_SHA[]->NXM_NX_ARP_THA[],move:NXM_OF_ARP_SPA[]->NXM_OF_ARP_TPA[],set_field:$gw->arp_sha,set_field:169.254.1.1->arp_spa,in_port" >>"$flows"
    echo "table=2,priority=100,ip,nw_dst=${IPS[$i]},actions=set_field:$gw->eth_src,set_field:$(pod_mac "${PODS[$i]}")->eth_dst,dec_ttl,output:$((i + 1))" >>"$flows"
  done
  echo "table=0,priority=100,ip,actions=resubmit(,2)" >>"$flows"
  ovs_ofctl add-flows "$OVS_BRIDGE" "$flows"
  DP_PIDS="$vswitchd"
}
dp_ovs_debug() { # ISX_DEBUG=1: the rules with their counters, the conntrack entries, the ports' drops
  ovs_ofctl dump-flows "$OVS_BRIDGE" >&3
  ovs_ofctl dump-group-stats "$OVS_BRIDGE" >&3 2>&1 || true
  ovs-appctl -t "$OVS_DIR/ovs-vswitchd.ctl" dpctl/dump-conntrack 2>&1 | head -5 >&3
  ovs-appctl -t "$OVS_DIR/ovs-vswitchd.ctl" dpctl/dump-flows 2>&1 | head -20 >&3
  ovs_ofctl dump-ports "$OVS_BRIDGE" >&3
}
ovs_ports_ready() {
  local i
  for i in 0 1 2 3; do [[ "$(ip -o link show "${HOSTS[$i]}")" == *" xdp"* ]] || return 1; done
  for i in 0 1 2 3; do [ "$(ovs_vsctl get interface "${HOSTS[$i]}" ofport)" = $((i + 1)) ] || return 1; done
}
dp_ovs_service() {
  local flows=$OVS_DIR/service-flows groups=$OVS_DIR/groups i proto g port target
  : >"$groups"
  for proto in udp tcp; do
    if [ "$proto" = udp ]; then g=1 port=$UDP_SERVICE_PORT target=$UDP_TARGET_PORT; else g=2 port=$TCP_SERVICE_PORT target=$TCP_TARGET_PORT; fi
    local buckets=""
    for i in 0 1 2; do buckets+=",bucket=bucket_id:$i,actions=ct(commit,zone=1,nat(dst=${IP_B[$i]}:$target),table=2)"; done
    # the flow's addresses and ports choose the bucket (OVS 3.1's default dp_hash sent every
    # flow of the 1,000-flow run to the same backend)
    echo "group_id=$g,type=select,selection_method=hash,fields(ip_src,ip_dst,${proto}_src,${proto}_dst)$buckets" >>"$groups"
  done
  ovs_ofctl add-groups "$OVS_BRIDGE" "$groups"
  {
    echo "table=0,priority=200,ip,nw_dst=$CLUSTER_IP,actions=ct(zone=1,nat,table=1)"
    for i in 0 1 2; do echo "table=0,priority=200,ip,nw_src=${IP_B[$i]},actions=ct(zone=1,nat,table=2)"; done
    echo "table=1,priority=200,ct_state=+new+trk,udp,nw_dst=$CLUSTER_IP,tp_dst=$UDP_SERVICE_PORT,actions=group:1"
    echo "table=1,priority=200,ct_state=+new+trk,tcp,nw_dst=$CLUSTER_IP,tp_dst=$TCP_SERVICE_PORT,actions=group:2"
    # the rest: connections conntrack already knows (NAT applied; a one-way UDP flow stays +new)
    echo "table=1,priority=100,ct_state=+trk,ip,actions=resubmit(,2)"
  } >"$flows"
  ovs_ofctl add-flows "$OVS_BRIDGE" "$flows"
}

# ---- (d) Isthmus ----------------------------------------------------------------------------------
# The worker's idle strategy. `isthmus fastpath` (modes isthmus, isthmus-offload*): busy-spin at
# nice 0, like OVS's PMD thread here (what a performance node giving the fast path a core runs).
# `isthmus up`: the node's defaults, adaptive at nice -5 (polls while packets arrive, parks after
# 10-200 us without any; RESULTS.md "Session 5 (up)"; a busy-spinning thread at nice -5 takes its CPU
# whole and, on this 2-CPU machine, starves the generator: RESULTS.md, "Session 4 (worker)").
ISTHMUS_IDLE=${ISTHMUS_IDLE:-busy-spin}
ISTHMUS_UP_IDLE=${ISTHMUS_UP_IDLE:-adaptive}
# The worker thread's nice value (--worker-nice); empty: each command's default (`isthmus fastpath`:
# inherited, i.e. 0 like ovs-vswitchd here; `isthmus up`: -5, the node's default).
ISTHMUS_WORKER_NICE=${ISTHMUS_WORKER_NICE:-}
# The CPU the worker thread is pinned to (--worker-cpu); empty: not pinned.
ISTHMUS_WORKER_CPU=${ISTHMUS_WORKER_CPU:-}
isthmus_worker_options() { # [idle]
  printf -- '--idle %s ' "${1:-$ISTHMUS_IDLE}"
  [ -z "$ISTHMUS_WORKER_NICE" ] || printf -- '--worker-nice %s ' "$ISTHMUS_WORKER_NICE"
  [ -z "$ISTHMUS_WORKER_CPU" ] || printf -- '--worker-cpu %s ' "$ISTHMUS_WORKER_CPU"
}
# Mode isthmus is the product's default (session 6): pods as its CNI plugin makes them (offloads on,
# minus what the fast path cannot finish) and XDP mode auto (native first: the veth then takes the
# pod's TSO, its GSO and checksum offload stay). Mode isthmus-native is the default before session 6:
# pods with offloads off, XDP native (the same attach, so the two differ by the pods' offloads only).
dp_isthmus_title() { echo "Isthmus (isthmus fastpath)"; }
dp_isthmus_tools() { echo "@af_xdp ip"; }
dp_isthmus_offloads() { echo cni; }
dp_isthmus_figures() { dp_ovs_figures; }
dp_isthmus_native_title() { echo "Isthmus (isthmus fastpath), pod offloads off, native XDP (before session 6)"; }
dp_isthmus_native_tools() { dp_isthmus_tools; }
dp_isthmus_native_offloads() { echo off; }
dp_isthmus_native_figures() { dp_ovs_figures; }
dp_isthmus_native_start() { dp_isthmus_start; } # (the arguments: isthmus_fastpath_args)
dp_isthmus_native_service() { dp_isthmus_service; }
isthmus_ports() { local i; for i in 0 1 2 3; do printf -- '--port %s=%s ' "${HOSTS[$i]}" "${IPS[$i]}"; done; }
# The Service figures: `isthmus fastpath --services FILE` runs the node's whole pipeline
# (conntrack, Service DNAT, policy, commit) on the same ports with a Service and EndpointSlice
# from YAML the harness writes (ClusterIP UDP 5001 -> 9, TCP 80 -> 80 over the three backends).
# The pod -> pod figures run first on the plain switching pipeline (`--port` alone, as before);
# at the first Service figure the fast path is restarted with --services. An older `isthmus`
# without --services leaves those cells n/a.
backends() { echo "${IP_B[0]}:$1,${IP_B[1]}:$1,${IP_B[2]}:$1"; }
isthmus_has_services() { [[ "$(ISTHMUS_NO_BUILD=1 "$ISTHMUS" fastpath --help 2>&1)" == *--services* ]]; }
isthmus_services_yaml() { # the Service and its EndpointSlice, as a cluster's control plane would have them
  local i
  printf 'apiVersion: v1
kind: Service
metadata: {name: bench, namespace: isx-bench}
spec:
  type: ClusterIP
  clusterIP: %s
  ports:
  - {name: udp, protocol: UDP, port: %s, targetPort: %s}
  - {name: http, protocol: TCP, port: %s, targetPort: %s}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: bench-1
  namespace: isx-bench
  labels: {kubernetes.io/service-name: bench}
addressType: IPv4
ports:
- {name: udp, protocol: UDP, port: %s}
- {name: http, protocol: TCP, port: %s}
endpoints:
' "$CLUSTER_IP" "$UDP_SERVICE_PORT" "$UDP_TARGET_PORT" "$TCP_SERVICE_PORT" "$TCP_TARGET_PORT" "$UDP_TARGET_PORT" "$TCP_TARGET_PORT"
  for i in 0 1 2; do printf -- '- addresses: ["%s"]\n  conditions: {ready: true}\n' "${IP_B[$i]}"; done
}
# The fast path's arguments beyond the ports, by mode (the Service figures restart it with the same
# ones plus --services): the worker's idle strategy and, for the modes that set one, --xdp-mode.
isthmus_fastpath_args() {
  case "$mode" in
    isthmus-native) isthmus_worker_options; printf -- '--xdp-mode native' ;;
    isthmus-offload) isthmus_worker_options "$ISTHMUS_OFFLOAD_IDLE"; printf -- '--xdp-mode native' ;;
    isthmus-offload-generic) isthmus_worker_options "$ISTHMUS_OFFLOAD_IDLE"; printf -- '--xdp-mode generic' ;;
    *) isthmus_worker_options ;;
  esac
}
isthmus_fastpath_start() { # output-name [extra args...]: starts the fast path on the four ports, waits for XDP on each
  local name=$1 pid
  shift
  # after the fast path stops (undo runs last first): its final counters, drops by reason included
  on_undo "grep -hE '^(final|drop reasons|attached)' $WORK/$name.out $WORK/$name.err | sed 's/^/dataplanes: isthmus ($name) /' >&3"
  # shellcheck disable=SC2046,SC2086
  start_bg pid "$RUN_BOUND_S" "$WORK/$name.out" "$WORK/$name.err" \
    env ISTHMUS_NO_BUILD=1 "$ISTHMUS" fastpath $(isthmus_fastpath_args) $(isthmus_ports) "$@"
  ISTHMUS_FASTPATH_PID=$pid
  wait_for 30 "isthmus fastpath to attach" isthmus_attached || { cat "$WORK/$name.out" "$WORK/$name.err" >&2; return 1; }
  DP_PIDS="$pid"
}
# A JVM compiles its hot paths in the first seconds of traffic: the C2 compiler took 0.07-0.19 of a
# core of the 2-CPU machine in the measurement window of the first cell after a (re)start, and the
# ClusterIP cells always run in a freshly restarted fast path (RESULTS.md, "Session 6 (clusterip)").
# So after each start, before any figure, the same generator sends ISX_WARM_UP_S seconds (default 3;
# 0: none) of 64-byte UDP over 1,000 flows along the path the next figures measure (no sinks: the
# pod's kernel drops it). The kernel's and OVS's paths need no such warm-up.
ISX_WARM_UP_S=${ISX_WARM_UP_S:-3}
isthmus_warm_up() { # dst-ip dst-port
  [ "$ISX_WARM_UP_S" != 0 ] || return 0
  timeout -k 5 $((ISX_WARM_UP_S + 40)) env ISTHMUS_NO_BUILD=1 "$ISTHMUS" pktgen --netns "$NS_A" --dst-ip "$1" --dst-port "$2" \
    --size 64 --flows 1000 --duration "$ISX_WARM_UP_S" >"$WORK/warm-up-$1.out" 2>"$WORK/warm-up-$1.err" \
    || log "isthmus: the warm-up to $1:$2 failed (see $WORK/warm-up-$1.err); measuring anyway"
}
dp_isthmus_start() { isthmus_fastpath_start fastpath && isthmus_warm_up "${IP_B[0]}" "$UDP_TARGET_PORT"; }
isthmus_attached() {
  local i
  for i in 0 1 2 3; do [[ "$(ip -o link show "${HOSTS[$i]}")" == *" xdp"* ]] || return 1; done
}
isthmus_detached() {
  local i
  for i in 0 1 2 3; do [[ "$(ip -o link show "${HOSTS[$i]}")" != *" xdp"* ]] || return 1; done
}
dp_isthmus_service() {
  if ! isthmus_has_services; then
    SERVICE_REASON="n/a (this isthmus fastpath takes no --services: see Isthmus via isthmus up)"
    return 3
  fi
  isthmus_services_yaml >"$WORK/isthmus-services.yaml"
  stop_bg "$ISTHMUS_FASTPATH_PID"
  wait_for 15 "isthmus fastpath to detach" isthmus_detached || return 1
  isthmus_fastpath_start fastpath-services --services "$WORK/isthmus-services.yaml" || return 1
  wait_for 15 "isthmus fastpath to publish the Service" grep -q '^services: [1-9]' "$WORK/fastpath-services.out" \
    || { cat "$WORK/fastpath-services.out" "$WORK/fastpath-services.err" >&2; return 1; }
  isthmus_warm_up "$CLUSTER_IP" "$UDP_SERVICE_PORT"
}

# ---- (d) Isthmus with the pods' offloads on (the tcp engineer's modes, sessions 3-6) ------------
# The same `isthmus fastpath` on pods that keep TSO/GSO, scatter-gather and TX checksum offload on,
# as real pods do: its multi-buffer AF_XDP ports keep TCP super-packets whole and send each to the
# receiving pod's veth as ONE GSO packet (AF_PACKET with PACKET_VNET_HDR; session 4; before: software
# GSO into MTU segments). isthmus-offload: XDP attached natively (the veth then turns the pod's TSO
# off; its software GSO and checksum offload stay, and the port coalesces the MTU segments back);
# isthmus-offload-generic: XDP attached generically (the pod keeps TSO: 64 KiB super-packets reach
# Isthmus whole, as frame chains). Both take every figure, so the pods' offloads and the XDP mode
# can be compared on packet rates too (the Service figures restart the fast path with --services,
# as in mode isthmus).
dp_isthmus_offload_title() { echo "Isthmus (isthmus fastpath), pod offloads on, native XDP"; }
dp_isthmus_offload_tools() { dp_isthmus_tools; }
dp_isthmus_offload_offloads() { echo on; }
dp_isthmus_offload_figures() { dp_ovs_figures; }
dp_isthmus_offload_start() { dp_isthmus_start; }
dp_isthmus_offload_service() { dp_isthmus_service; }
dp_isthmus_offload_generic_title() { echo "Isthmus (isthmus fastpath), pod offloads on, generic XDP"; }
dp_isthmus_offload_generic_tools() { dp_isthmus_tools; }
dp_isthmus_offload_generic_offloads() { echo on; }
dp_isthmus_offload_generic_figures() { dp_ovs_figures; }
dp_isthmus_offload_generic_start() { dp_isthmus_start; }
dp_isthmus_offload_generic_service() { dp_isthmus_service; }
# Their worker idles as the command's default, adaptive (ISTHMUS_OFFLOAD_IDLE, not ISTHMUS_IDLE): TCP
# needs the kernel's copies (AF_XDP receive, AF_PACKET send, the pods' stacks) to get the CPU, and on
# 2 CPUs a busy-spinning worker takes it (RESULTS.md, session 4: 0.36x kernel backing off, 0.24x
# spinning); adaptive and backoff measured alike (RESULTS.md, end of session 5). To compare their
# packet rates with mode isthmus's, give them the same worker: ISTHMUS_OFFLOAD_IDLE=busy-spin.
ISTHMUS_OFFLOAD_IDLE=${ISTHMUS_OFFLOAD_IDLE:-adaptive}

# ---- (d) Isthmus as a node runs it: isthmus up ---------------------------------------------------
# `isthmus up -f DIR` on a directory of YAML the harness writes: a namespace of this run, the client
# pod and three backend pods (their command only sleeps; the harness starts the sinks and servers in
# their namespaces as for every other dataplane) and a ClusterIP Service in front of the backends
# (UDP 5001 -> 9, TCP 80 -> 80). Its agent runs the fast path with the Service stage, its CNI plugin
# makes the pods (a /32 each, the gateway 169.254.1.1 as a permanent neighbour, offloads on minus
# what the fast path cannot finish, since session 6),
# its API server allocates the ClusterIP. Session state,
# kubeconfig and logs live in this run's work directory (ISTHMUS_UP_STATE), never /run/isthmus/up.
# Its machine-wide names are this mode's own (since session 7), so it runs beside another session
# (IsthmusUpIT, up-idle-cpu.sh, a person's `isthmus up`): host port isxh$TAG, pod CIDR
# 10.244.252.0/24, cluster DNS 10.96.252.10, Ingress ports 18180/18543; a name taken anyway is
# refused by `up`, naming it.
# As mode isthmus, ISX_WARM_UP_S seconds of unmeasured traffic follow the start (to a backend) and
# the Service's check (to the ClusterIP), so the JIT has compiled the pipeline before a figure.
dp_isthmus_up_title() { echo "Isthmus node (isthmus up)"; }
dp_isthmus_up_tools() { echo "@af_xdp ip"; }
dp_isthmus_up_offloads() { echo cni; } # (made by its CNI plugin, not by the harness)
dp_isthmus_up_figures() { dp_ovs_figures; }
isthmus_up_env() { # the session's settings, for env
  echo "ISTHMUS_UP_STATE=$WORK/up ISTHMUS_NO_BUILD=1 ISTHMUS_HOST_PORT=isxh$TAG ISTHMUS_UP_POD_CIDR=10.244.252.0/24" \
    "ISTHMUS_UP_CLUSTER_DNS=10.96.252.10" \
    "ISTHMUS_INGRESS_HTTP_PORT=18180 ISTHMUS_INGRESS_HTTPS_PORT=18543"
}
# shellcheck disable=SC2046
isthmus_up() { env $(isthmus_up_env) "$ISTHMUS" "$@"; }
dp_isthmus_up_topology() {
  local ns=isxb-$TAG dir=$WORK/up-yaml pod
  mkdir -p "$dir"
  {
    printf 'apiVersion: v1
kind: Namespace
metadata: {name: %s}
' "$ns"
    for pod in client b0 b1 b2; do
      printf -- '---
apiVersion: v1
kind: Pod
metadata: {name: %s, namespace: %s, labels: {app: %s}}
' "$pod" "$ns" "$([ $pod = client ] && echo client || echo backend)"
      printf 'spec:
  containers:
  - {name: c, command: ["sleep", "%s"]}
' "$RUN_BOUND_S"
    done
    printf -- '---
apiVersion: v1
kind: Service
metadata: {name: bench, namespace: %s}
spec:
  selector: {app: backend}
  ports:
' "$ns"
    printf '  - {name: udp, protocol: UDP, port: %s, targetPort: %s}
' "$UDP_SERVICE_PORT" "$UDP_TARGET_PORT"
    printf '  - {name: http, protocol: TCP, port: %s, targetPort: %s}
' "$TCP_SERVICE_PORT" "$TCP_TARGET_PORT"
  } >"$dir/bench.yaml"
  # another session may run (its own names): it shares the CPUs, so say so beside the figures
  if pgrep -f 'io.isthmus.cli.Main up .*--session' >/dev/null; then
    log "isthmus up: another isthmus up session runs on this machine ($(pgrep -f 'io.isthmus.cli.Main up .*--session' | paste -sd' ')): figures share its CPUs"
  fi
  on_undo "timeout -k 10 120 env $(isthmus_up_env) $ISTHMUS down"
  # shellcheck disable=SC2046
  timeout -k 10 300 env $(isthmus_up_env) "$ISTHMUS" up -f "$dir" --detach $(isthmus_worker_options "$ISTHMUS_UP_IDLE") >"$WORK/up.out" 2>&1 \
    || { log "isthmus up failed:"; tail -20 "$WORK/up.out" >&2; return 1; }
  NS_A=isthmus-$ns-client
  NS_B=("isthmus-$ns-b0" "isthmus-$ns-b1" "isthmus-$ns-b2")
  PODS=("$NS_A" "${NS_B[@]}")
  local i
  for i in 0 1 2 3; do
    IPS[i]=$(ip -n "${PODS[$i]}" -4 -o addr show dev eth0 | awk '{ sub(/\/.*/, "", $4); print $4; exit }')
    [ -n "${IPS[$i]}" ] || { log "isthmus up: no address in ${PODS[$i]}"; return 1; }
  done
  IP_A=${IPS[0]}
  IP_B=("${IPS[@]:1}")
  CLUSTER_IP=$(isthmus_up status 2>/dev/null | awk -v s="$ns/bench" '$1 == s { print $3 }')
  [ -n "$CLUSTER_IP" ] || { log "isthmus up: no ClusterIP for $ns/bench"; return 1; }
  log "isthmus up: pods $IP_A ${IP_B[*]}, ClusterIP $CLUSTER_IP"
}
dp_isthmus_up_debug() { isthmus_up status >&3 2>&1 || true; } # ISX_DEBUG=1: pods, Services, the agent's counters
dp_isthmus_up_start() { DP_PIDS=$(cat "$WORK/up/up.pid") && isthmus_warm_up "${IP_B[0]}" "$UDP_TARGET_PORT"; }
# The Service is in the YAML; whether the node forwards it is checked: a TCP connection to the
# ClusterIP must be answered, accepted or refused (nothing listens in the backends yet), within 3 s
# (two tries).
dp_isthmus_up_service() {
  local i out
  for i in 1 2; do
    out=$(ip netns exec "$NS_A" timeout 3 bash -c "exec 3<>/dev/tcp/$CLUSTER_IP/$TCP_SERVICE_PORT" 2>&1) \
      || grep -q 'refused' <<<"$out" || continue
    isthmus_warm_up "$CLUSTER_IP" "$UDP_SERVICE_PORT"
    return 0
  done
  SERVICE_REASON="n/a (Services not in the fast path yet: isthmus up's ClusterIP $CLUSTER_IP goes unanswered)"
  return 3
}
