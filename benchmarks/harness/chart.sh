#!/usr/bin/env bash
# Draws the ratios of a dataplanes.sh run (results.tsv) to each figure's kernel reference as a
# PNG bar chart with gnuplot (Debian: gnuplot-nox): one group of bars per figure, one bar per
# dataplane; a missing bar is a cell that was n/a or skipped in that run.
#   benchmarks/harness/chart.sh results.tsv chart.png
set -euo pipefail
[ $# -eq 2 ] && [ -f "$1" ] || { echo "usage: $0 results.tsv chart.png" >&2; exit 2; }
command -v gnuplot >/dev/null || { echo "chart: needs gnuplot (Debian: gnuplot-nox)" >&2; exit 1; }
data=$(mktemp)
trap 'rm -f "$data"' EXIT
modes="kernel kernel-offload iptables nftables ovs isthmus isthmus-up"
# the ratios as render.sh computes them (per round, then the median over the rounds)
"$(dirname "$(readlink -f "$0")")/render.sh" --ratios "$1" | awk -F'\t' -v modes="$modes" '
function label(f) {
  if (f ~ /^pps-pod-/) return "pod→pod\\npps, " substr(f, 9) " flow" (substr(f, 9) == "1" ? "" : "s")
  if (f ~ /^pps-cip-/) return "pod→ClusterIP\\npps, " substr(f, 9) " flow" (substr(f, 9) == "1" ? "" : "s")
  if (f == "tcp") return "TCP Gbps\\n(ref: offloads on)"
  if (f == "http-rps") return "HTTP req/s\\nkeep-alive"
  if (f == "http-cps") return "HTTP new conn/s"
  return f }
{ if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } ratio[$1, $2] = $3 }
END {
  m = split(modes, mode, " ")
  for (i = 1; i <= n; i++) {
    f = order[i]; line = "\"" label(f) "\""
    for (j = 1; j <= m; j++) line = line "\t" (((f, mode[j]) in ratio) && ratio[f, mode[j]] != "" ? ratio[f, mode[j]] : "-")
    print line
  }
}' >"$data"
# one series per dataplane that has at least one ratio (gnuplot's clustered histogram misplaces
# the clusters around a series with no valid point)
titles=("kernel routing" "kernel, offloads on" "iptables DNAT" "nftables DNAT" "OVS AF_XDP" "Isthmus (fastpath)" "Isthmus node (up)")
colours=("#9e9e9e" "#616161" "#ef8a62" "#fddbc7" "#67a9cf" "#1b7837" "#a6dba0")
plot="plot"
for j in 0 1 2 3 4 5 6; do
  col=$((j + 2))
  awk -F'\t' -v c="$col" '$c != "-" { found = 1 } END { exit !found }' "$data" || continue
  if [ "$plot" = plot ]; then plot+=" \"$data\" using $col:xtic(1)"; else plot+=", '' using $col"; fi
  plot+=" title \"${titles[$j]}\" lc rgb \"${colours[$j]}\""
done
[ "$plot" != plot ] || { echo "chart: no ratio to draw in $1" >&2; exit 1; }
title=$(awk -F'\t' '/^# machine/ { m = $2 } /^# started/ { s = $2; l = $3 } END { printf "%s; %s, load average %s", m, s, l }' "$1")
gnuplot <<GNUPLOT
set terminal pngcairo size 1400,620 font "sans,10" noenhanced
set output "$2"
set title "Ratio to the kernel reference of each figure (higher is better); no bar = n/a or not run\n$title"
set bmargin 5
set datafile separator "\t"
set datafile missing "-"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set offsets 0.6, 0.6, 0.2, 0
set ylabel "ratio to the kernel reference"
set yrange [0:*]
set grid ytics
set key top left
set arrow from graph 0, first 1 to graph 1, first 1 nohead dashtype 2 lc rgb "#444444"
$plot
GNUPLOT
echo "chart: wrote $2" >&2
