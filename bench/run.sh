#!/usr/bin/env bash
# bench/run.sh [--quick]: runs every benchmark of BENCHMARKS.md against the Litsxg reference
# server and its IRC peers (ngircd, InspIRCd, Ergo), all in the same run, alternating servers,
# a fresh server per run; writes the raw results (and each peer's generated configuration) to
# bench/results/ and draws the figures (bench/*.png) and the ratio table (bench/results/ratios.md).
#
# Needs: Java 17 and Maven (./litsxg builds the jars), gnuplot, ngircd, InspIRCd: the Debian
# packages gnuplot-nox, ngircd and inspircd, installed here when missing (as root). Ergo, the Go
# IRC server, has no Debian 12 package (Debian's `ergo` is ErgoSCF, a quantum chemistry program):
# it runs when an Ergo binary is at /usr/bin/ergo or named by ERGO=/path, and is NOT RUN (said
# in every benchmark's output) otherwise. Only loopback addresses are used (127.0.0.1 and
# 127.0.0.2+ as client source addresses). Every step ends by itself: each benchmark bounds its
# set-up and its load in time.
# --quick: a smoke test of the whole pipeline (every server, every curve, small counts, short
# runs; figures not to quote), written to a temporary directory.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
quick=false
[ "${1:-}" = "--quick" ] && quick=true
out="$here/results"
figs="$here"
if $quick; then # never overwrites the figures that BENCHMARKS.md quotes
  out="$(mktemp -d /tmp/litsxg-bench-quick.XXXXXX)"
  figs="$out"
fi
mkdir -p "$out"

missing=()
[ -x /usr/sbin/ngircd ] || missing+=(ngircd)
[ -x /usr/sbin/inspircd ] || missing+=(inspircd)
command -v gnuplot >/dev/null || missing+=(gnuplot-nox)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "bench/run.sh: installing ${missing[*]}" >&2
    # The packages' services are not wanted (the benchmarks start their own servers): a
    # policy-rc.d that refuses every start (Debian's convention, exit 101) keeps the install
    # from starting them, unless the machine has such a policy already.
    policy=/usr/sbin/policy-rc.d own_policy=false
    if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod 755 "$policy"; own_policy=true; fi
    rc=0
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2 \
      || { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2; } \
      || rc=$?
    if $own_policy; then rm -f "$policy"; fi
    [ "$rc" = 0 ] || { echo "bench/run.sh: could not install ${missing[*]}" >&2; exit 2; }
  else
    echo "bench/run.sh: missing ${missing[*]} (apt-get install ${missing[*]})" >&2; exit 2
  fi
fi
ergo="${ERGO:-/usr/bin/ergo}"

# A shell that starts this script in the background without job control makes it ignore SIGINT,
# and so every server it starts: the conformance suite's SIGINT scenarios would then fail.
if [ "$(( 0x$(awk '/^SigIgn:/ {print $2}' /proc/self/status) & 2 ))" != 0 ]; then
  echo "bench/run.sh: warning: SIGINT is ignored here (started in the background?); (f) will fail its SIGINT scenarios" >&2
fi

# The server process holds one descriptor per connection: take the whole hard limit.
ulimit -n "$(ulimit -Hn)"

# Other work on a small machine disturbs the figures. As root, give the benchmark (the
# generator and both servers alike) the scheduler's preference; its own autogroup too, since
# with autogroups nice acts only within one session.
prio=()
if [ "$(id -u)" = 0 ]; then
  echo -10 > /proc/self/autogroup 2>/dev/null || true
  prio=(nice -n -10)
fi

# The Litsxg server's JVM options for every benchmark (see BENCHMARKS.md, "Server JVM options").
server_jvm=(--jvm-opt=-XX:+UseSerialGC --jvm-opt=-Xms16m --jvm-opt=-XX:MinHeapFreeRatio=10 --jvm-opt=-XX:MaxHeapFreeRatio=30)

"$root/litsxg" bench --version >/dev/null # builds both jars if stale
server_jar="$root/src/target/litsxg.jar"
bench_jar="$root/bench/target/litsxg-bench.jar"
# Every benchmark: the same server jar, peers' binaries and a copy of each generated configuration.
common=(--server-jar "$server_jar" --ergo "$ergo" --config-dir "$out/config")
bench() { "${prio[@]}" java -jar "$bench_jar" "$@" "${common[@]}"; }

# The most connections a process may hold here (server and generator alike), less room for
# the JVM's own files; 50,000 at most (the scale benchmark's count).
hard=$(ulimit -Hn)
case "$hard" in unlimited) top=50000;; *) top=$(( hard - 100 )); [ "$top" -le 50000 ] || top=50000;; esac
if $quick; then
  repeat=1; seconds=2; warmup=1; runs=3; scale=600; steps=3; rcpt=200; per=50; points=5
  curve_repeat=1; client_counts="10,50,200"; rates="10000,20000,40000"; identities="0,1000,10000"; id_runs=3
else
  repeat=5; seconds=10; warmup=3; runs=21; scale=50000; steps=10; rcpt=10000; per=1000; points=10
  curve_repeat=3; client_counts="10,100,1000,2000,5000,10000,$top"
  rates="10000,20000,50000,100000,150000,200000,300000,400000,500000,600000"
  identities="0,1000,10000,100000,300000,1000000"; id_runs=11
fi

stamp() { echo "== $* ($(date -u +%FT%TZ); load average $(cut -d' ' -f1-3 /proc/loadavg))"; }
{
  echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r)"
  echo "java: $(java -version 2>&1 | head -1)"
  echo "ngircd: $(/usr/sbin/ngircd --version 2>/dev/null | head -1)"
  echo "inspircd: $(/usr/sbin/inspircd --version 2>/dev/null | head -1)"
  # in a scratch directory: Debian's /usr/bin/ergo (ErgoSCF) writes ergoscf.out where it runs
  v="$(cd "$(mktemp -d)" && "$ergo" version 2>/dev/null | head -1 || true)"
  case "$v" in ergo-*) echo "ergo: $v";; *) echo "ergo: NOT RUN (no Ergo IRC server at $ergo)";; esac
  echo "file limit (hard): $(ulimit -Hn)"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "mode: $($quick && echo 'quick (smoke test, not figures to quote)' || echo full)"
} > "$out/machine.txt"
cat "$out/machine.txt"

rm -f "$out"/*.csv "$out"/*.txt.part
rm -rf "$out/hgrm" "$out/config"

stamp "(a) throughput and (b) latency at 50,000 msg/s, 1,000 clients"
bench load --clients 1000 --size 64 --rate 0,50000 --repeat "$repeat" --seconds "$seconds" --warmup "$warmup" \
  "${server_jvm[@]}" --csv "$out/load.csv" --hgrm "$out/hgrm" | tee "$out/load.txt" || true

stamp "curve: delivered msg/s and p99 against clients ($client_counts), as fast as possible"
bench load --clients "$client_counts" --size 64 --rate 0 --repeat "$curve_repeat" --seconds "$seconds" --warmup "$warmup" \
  --label clients --timeout 600 "${server_jvm[@]}" --csv "$out/clients.csv" | tee "$out/clients.txt" || true

stamp "curve: latency against offered rate ($rates msg/s), 1,000 clients"
bench load --clients 1000 --size 64 --rate "$rates" --repeat "$curve_repeat" --seconds "$seconds" --warmup "$warmup" \
  --label rate "${server_jvm[@]}" --csv "$out/rates.csv" | tee "$out/rates.txt" || true

stamp "(c) connection scale, and the RSS curve ($steps steps)"
bench scale --count "$scale" --steps "$steps" --hold 10 "${server_jvm[@]}" --csv "$out/scale.csv" \
  --curve "$out/scale-curve.csv" | tee "$out/scale.txt" || true

stamp "(d) offline queues growing to the cap ($rcpt recipients x $per)"
bench queues --recipients "$rcpt" --per-recipient "$per" --points "$points" "${server_jvm[@]}" --csv "$out/queues.csv" \
  --curve "$out/queues-curve.csv" | tee "$out/queues.txt" || true

stamp "(e) start-up time to listening"
bench startup --runs "$runs" --cds "${server_jvm[@]}" --csv "$out/startup.csv" | tee "$out/startup.txt" || true

stamp "curve: start-up time against stored identities ($identities)"
bench startup --identities "$identities" --runs "$id_runs" --cds "${server_jvm[@]}" --csv "$out/identities.csv" \
  | tee "$out/identities.txt" || true

if ! $quick; then
  stamp "(f) the full conformance suite"
  start=$(date +%s.%N)
  "${prio[@]}" "$root/litsxg" conformance > "$out/conformance.log" 2>&1 && rc=0 || rc=$?
  end=$(date +%s.%N)
  printf 'conformance suite: exit %s, wall %.1f s\n' "$rc" "$(echo "$end - $start" | bc)" | tee "$out/conformance.txt"
  tail -3 "$out/conformance.log" | tee -a "$out/conformance.txt"
fi

stamp "plot"
"$here/plot.sh" "$out" "$figs"
echo "results in $out; figures in $figs; ratios in $out/ratios.md"
