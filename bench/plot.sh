#!/usr/bin/env bash
# bench/plot.sh [RESULTS-DIR [PNG]]: draws PNG (default bench/throughput-latency.png) from
# RESULTS-DIR/load.csv (default bench/results) and the latency distributions in RESULTS-DIR/hgrm/
# (written by `litsxg bench load --csv ... --hgrm ...`).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
res="${1:-$here/results}"
png="${2:-$here/throughput-latency.png}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Median delivered msg/s per scenario and target, from the per-run rows.
median() { sort -n | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
for t in litsxg ngircd; do
  m=$(awk -F, -v t="$t" 'NR>1 && $1=="throughput" && $2==t {print $8}' "$res/load.csv" | median)
  printf '%s %s\n' "$t" "$m"
done > "$tmp/throughput.dat"

# Latency distributions: HdrHistogram's percentile output (value in microseconds, percentile,
# count, 1/(1-percentile)); the last rows (percentile 1.0) have an infinite last column.
strip() { awk '$1 ~ /^[0-9.]+$/ && $4 ~ /^[0-9.]+$/ {print $1/1000, $4}' "$1"; }
files=()
for scen in latency-50000 throughput; do
  for t in litsxg ngircd; do
    for f in "$res"/hgrm/"$scen-$t"-run*.hgrm; do
      [ -f "$f" ] || continue
      strip "$f" > "$tmp/$(basename "$f" .hgrm).dat"
    done
  done
done

runs=$(ls "$res"/hgrm/latency-50000-litsxg-run*.hgrm 2>/dev/null | wc -l)
load=$(grep -m1 '^bench load' "$res/load.txt" 2>/dev/null | sed 's/.*load average //')

{
  echo "set terminal pngcairo size 1500,520 font 'DejaVu Sans,11'"
  echo "set output '$png'"
  echo "set multiplot layout 1,3 title 'Litsxg reference server vs ngircd, 1,000 clients, 64-byte direct messages, same generator, loopback (load average at start: $load)'"
  echo "set style fill solid 0.8 border -1"
  echo "set boxwidth 0.6"
  echo "set grid ytics"
  echo "set title 'Throughput, as fast as possible (median of $runs runs)'"
  echo "set ylabel 'delivered messages per second'"
  echo "set yrange [0:*]"
  echo "set xrange [-0.6:1.6]"
  echo "unset key"
  echo "plot '$tmp/throughput.dat' using 0:2:(\$0==0?0x1f77b4:0xd62728):xtic(1) with boxes lc rgb variable, \
        '' using 0:2:(sprintf('%.0f', \$2)) with labels offset 0,1"
  for scen in latency-50000 throughput; do
    if [ "$scen" = latency-50000 ]; then
      echo "set title 'End-to-end latency at a fixed 50,000 msg/s (every run)'"
    else
      echo "set title 'End-to-end latency at saturation (every run)'"
    fi
    echo "set logscale x"
    echo "set logscale y"
    echo "set xrange [1:10000]"
    echo "set yrange [*:*]"
    echo "set xtics ('0%%' 1, '90%%' 10, '99%%' 100, '99.9%%' 1000, '99.99%%' 10000)"
    echo "set xlabel 'percentile'"
    echo "set ylabel 'latency (ms)'"
    echo "set key top left"
    plot="plot "
    first_l=1; first_n=1
    for f in "$tmp/$scen"-litsxg-run*.dat; do
      [ -f "$f" ] || continue
      if [ $first_l = 1 ]; then title="title 'litsxg'"; first_l=0; else title="notitle"; fi
      plot+="'$f' using 2:1 with lines lw 2 lc rgb '#1f77b4' $title, "
    done
    for f in "$tmp/$scen"-ngircd-run*.dat; do
      [ -f "$f" ] || continue
      if [ $first_n = 1 ]; then title="title 'ngircd'"; first_n=0; else title="notitle"; fi
      plot+="'$f' using 2:1 with lines lw 2 lc rgb '#d62728' $title, "
    done
    echo "${plot%, }"
    echo "unset logscale"
    echo "unset xtics; set xtics"
  done
  echo "unset multiplot"
} > "$tmp/plot.gp"
gnuplot "$tmp/plot.gp"
echo "wrote $png"
