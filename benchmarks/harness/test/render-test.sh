#!/usr/bin/env bash
# Checks render.sh and chart.sh on a fixed results file (test/fixture.tsv, three rounds): the
# medians, the ranges, the median of per-round ratios, the targets met and not met, n/a cells, and
# that a chart is drawn. No root, no network; run by ./run-tests before the smoke run.
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
out=$("$here/../render.sh" "$here/fixture.tsv")
failures=0
expect() { # text: a line of the rendered Markdown must contain it
  if grep -qF -- "$1" <<<"$out"; then return 0; fi
  echo "render-test: FAILED, no line contains: $1" >&2
  failures=$((failures + 1))
}
# medians with their ranges; the reference row
expect "| 64-byte UDP pod → pod, 1 flow, pps | kernel routing | 200 pps (100–300, 3 rounds) | 1.00 (reference) |"
# OVS vs kernel per round: 2.00, 0.33, 0.50 -> median 0.50 (the ratio of the medians would also be 0.50)
expect "| 64-byte UDP pod → pod, 1 flow, pps | OVS userspace, AF_XDP | 100 pps (100–200, 3 rounds) | 0.50 |"
# Isthmus vs kernel per round: 1.50, 0.40, 7.50 -> 1.50; the ratio of the medians would be 0.75
expect "| 64-byte UDP pod → pod, 1 flow, pps | Isthmus (isthmus fastpath) | 150 pps (120–1,500, 3 rounds) | 1.50 |"
expect "| pod → pod pps, 1 flow, vs kernel routing | 1.5 | 1.50: **met** |"
# Isthmus vs OVS per round: 0.75, 1.20, 15.0 -> 1.20
expect "| pod → pod pps, 1 flow, vs OVS AF_XDP | 1 | 1.20: **met** |"
# a cell without a figure says why, and so does its target
expect "| 64-byte UDP pod → ClusterIP, 1 flow, pps | Isthmus (isthmus fastpath) | n/a |  | - | - | - | - | n/a (Services not in the fast path yet) |"
expect "| pod → ClusterIP pps, 1 flow, vs iptables DNAT | 2 | n/a (Services not in the fast path yet) |"
# TCP 0.4, 0.6, 0.5 of the offloads reference -> 0.50, exactly the target: met
expect "| TCP Gbps vs kernel with offloads | 0.5 | 0.50: **met** |"
expect "| TCP pod → pod (iperf3), Gbps | Isthmus (isthmus fastpath) | 5 Gbps (4–6, 3 rounds) | 0.50 |"
expect "load average 1.00 1.00 1.00 at the start, 2.00 2.00 2.00 at the end"
# a target below its threshold
worse=$(mktemp)
trap 'rm -f "$worse" "$worse.png"' EXIT
sed 's/^tcp\tisthmus\t\([0-9]*\)\t/tcp\tisthmus\t1\t/' "$here/fixture.tsv" >"$worse"
grep -qF "| TCP Gbps vs kernel with offloads | 0.5 | 0.10: **not met** |" <<<"$("$here/../render.sh" "$worse")" \
  || { echo "render-test: FAILED, a TCP ratio of 0.10 is not reported as not met" >&2; failures=$((failures + 1)); }
if command -v gnuplot >/dev/null; then
  "$here/../chart.sh" "$here/fixture.tsv" "$worse.png" 2>/dev/null
  [ -s "$worse.png" ] && [ "$(head -c 4 "$worse.png" | tail -c 3)" = PNG ] \
    || { echo "render-test: FAILED, chart.sh drew no PNG" >&2; failures=$((failures + 1)); }
else
  echo "render-test: chart SKIPPED (no gnuplot; Debian: gnuplot-nox)" >&2
fi
[ "$failures" -eq 0 ] || exit 1
echo "render-test: ok" >&2
