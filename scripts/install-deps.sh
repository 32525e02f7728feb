#!/usr/bin/env bash
# Installs the Debian packages Isthmus and its tests use, when they are missing.
# Idempotent; needs root for apt-get (without root it only reports what is missing).
set -euo pipefail
# One package a line, each with the reason (keeps merges clean).
packages=(
  maven                         # the build
  iproute2                      # ip: namespaces and veth in tests and the README
  iputils-ping                  # ping through the fast path
  linux-libc-dev                # uapi headers the struct-layout test checks against
  gcc                           # compiles the uapi probe of that test
  libc6-dev                     # compiles the uapi probe of that test
  ethtool                       # offloads off on veth ends in tests
  tcpdump                       # reads the pcap files we write, in tests
  containernetworking-plugins   # portmap, bandwidth, tuning chained after isthmus
  iptables                      # portmap's DNAT rules
  netcat-openbsd                # the README's TCP transfer through the fast path
  bind9-dnsutils                # dig: DNS conformance tests of isthmus dns serve
  dnsperf                       # benchmarks/dns: DNS throughput, side by side
  unbound                       # benchmarks/dns: the reference DNS server
  nftables                      # benchmarks/harness: kube-proxy-style nftables DNAT
  openvswitch-switch            # benchmarks/harness: OVS userspace datapath with AF_XDP ports
  iperf3                        # benchmarks/harness: TCP Gbps pod to pod
  wrk                           # benchmarks/harness: HTTP requests/s through a ClusterIP
  nginx-light                   # benchmarks/harness: the HTTP server in the backend pods
  jq                            # benchmarks/harness: reads iperf3's JSON
  gnuplot-nox                   # benchmarks/harness: the chart of the ratios
  openssl                       # ingress TLS tests: generates the certificates of kubernetes.io/tls Secrets
  socat                         # examples/demo: the echo backends' HTTP server
  curl                          # examples/demo: the client's requests (README, isthmus up e2e test)
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing Debian packages: ${missing[*]} (run as root to install them)" >&2
  exit 0
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=300 update -qq >&2
apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >&2
