#!/usr/bin/env bash
# A private Tor network on 127.0.0.1 only, publishing one local TCP port as an onion service.
#
#   tor/private-network.sh start <workdir> <target-port> [--vport N] [--no-wait]
#   tor/private-network.sh wait  <workdir>
#   tor/private-network.sh stop  <workdir>
#   tor/private-network.sh status <workdir>
#
# start: three directory authorities (keys from tor-gencert) and four relays (two of them
#   exits) are started first; once an authority's consensus lists all seven as Running, an
#   onion service (HiddenServicePort <vport> 127.0.0.1:<target-port>) and a client (SocksPort)
#   are started. Then, unless --no-wait, it waits until the onion answers through the client's
#   SocksPort (see `wait`). On success it prints, and writes to <workdir>/env:
#       SOCKS=127.0.0.1:<port>
#       ONION=<56 chars>.onion:<vport>
#   and exits 0, leaving the tor processes running. On any failure it stops every tor it
#   started, prints one line "private-network.sh: FAILED ..." naming the phase and the log to
#   read, and exits 1.
# wait: probes the onion through the SocksPort (SOCKS5 CONNECT by host name, then a line
#   "PING" that must be answered "PONG"; LITSXG_TOR_PROBE_SEND / LITSXG_TOR_PROBE_EXPECT change
#   them, an empty LITSXG_TOR_PROBE_SEND checks the CONNECT only) until it succeeds or
#   LITSXG_TOR_ONION_TIMEOUT (default 360) seconds pass. Exit 0 reachable, 1 not.
# stop: SIGTERM to every tor process of <workdir> (by the PIDs it recorded, checked against
#   /proc/<pid>/cmdline), up to LITSXG_TOR_STOP_GRACE (10) seconds, then SIGKILL; then checks
#   that no port the network used is still listening. Exit 0 when all is stopped and free.
#   Keeps the logs (<workdir>/nodes/*/notice.log).
#
# Environment: LITSXG_TOR_OWNER_PID (a PID: every tor exits by itself when that process ends,
#   tor's __OwningControllerProcess, as a safety net for a caller that dies),
#   LITSXG_TOR_RELAYS (4), LITSXG_TOR_CONSENSUS_TIMEOUT (240 s), LITSXG_TOR_ONION_TIMEOUT
#   (360 s), TOR and TOR_GENCERT (the binaries). Tor runs as the calling user, never as a
#   system service. Everything listens on 127.0.0.1 only; ports are picked free at start
#   (below the ephemeral range).
set -euo pipefail

PROG=private-network.sh
# Debian puts tor in /usr/sbin, which a non-root PATH may lack.
TOR=${TOR:-$(command -v tor || echo /usr/sbin/tor)}
TOR_GENCERT=${TOR_GENCERT:-$(command -v tor-gencert || echo /usr/bin/tor-gencert)}
N_AUTH=3
N_RELAY=${LITSXG_TOR_RELAYS:-4}
CONSENSUS_TIMEOUT=${LITSXG_TOR_CONSENSUS_TIMEOUT:-240}
ONION_TIMEOUT=${LITSXG_TOR_ONION_TIMEOUT:-360}
STOP_GRACE=${LITSXG_TOR_STOP_GRACE:-10}
PROBE_SEND=${LITSXG_TOR_PROBE_SEND-PING}
PROBE_EXPECT=${LITSXG_TOR_PROBE_EXPECT-PONG}

T0=$(date +%s)
log() { printf '[%s +%3ds] tor-net: %s\n' "$(date +%H:%M:%S)" "$(( $(date +%s) - T0 ))" "$*" >&2; }
# One error line, then exit 1 (start's EXIT trap tears the network down).
die() { printf '%s: FAILED %s\n' "$PROG" "$*" >&2; exit 1; }
usage() { sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

# ---------------------------------------------------------------- ports and processes

# Every TCP port in LISTEN state on this machine (IPv4 and IPv6), one a line.
listening_ports() {
  local hex
  for hex in $(awk 'FNR > 1 && $4 == "0A" { split($2, a, ":"); print a[2] }' /proc/net/tcp /proc/net/tcp6 2>/dev/null); do
    echo $((16#$hex))
  done | sort -un
}

declare -A TAKEN=()
# A port that nothing listens on and that this network has not used yet. The range stays
# below the kernel's ephemeral range so that outgoing connections cannot sit on it.
# TAKEN must hold the listening ports first (note_listening, in this shell, not a subshell).
note_listening() { local l; for l in $(listening_ports); do TAKEN[$l]=1; done; }
pick_port() {
  local p tries=0
  while :; do
    p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 12000 ))
    if [ -z "${TAKEN[$p]:-}" ]; then TAKEN[$p]=1; echo "$p"; return; fi
    tries=$((tries + 1)); [ $tries -lt 10000 ] || die "in setup: no free port found"
  done
}

# True when PID is a live (not zombie) tor of this work dir.
ours_alive() {
  local pid=$1 state
  [ -r "/proc/$pid/stat" ] || return 1
  state=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [ "$state" != Z ] || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$W/nodes/" || return 1
}

# stop_all: TERM every recorded tor, wait up to STOP_GRACE s, KILL the rest, check ports.
stop_all() {
  local name pid alive=() left=() i
  [ -f "$W/pids" ] || return 0
  while read -r name pid; do
    if ours_alive "$pid"; then kill -TERM "$pid" 2>/dev/null || true; alive+=("$pid"); fi
  done < "$W/pids"
  for ((i = 0; i < STOP_GRACE * 10; i++)); do
    left=(); for pid in "${alive[@]}"; do ours_alive "$pid" && left+=("$pid"); done
    [ ${#left[@]} -eq 0 ] && break
    sleep 0.1
  done
  if [ ${#left[@]} -gt 0 ]; then
    log "still running after ${STOP_GRACE}s, SIGKILL: ${left[*]}"
    for pid in "${left[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    for ((i = 0; i < 50; i++)); do
      alive=(); for pid in "${left[@]}"; do ours_alive "$pid" && alive+=("$pid"); done
      [ ${#alive[@]} -eq 0 ] && break
      sleep 0.1
    done
    [ ${#alive[@]} -eq 0 ] || { echo "$PROG: FAILED in stop: PIDs ${alive[*]} survive SIGKILL" >&2; return 1; }
  fi
  : > "$W/pids"
  # The ports: nothing may listen on them any more (a socket closes with its process).
  local busy=() p listening
  listening=" $(listening_ports | tr '\n' ' ') "
  if [ -f "$W/ports" ]; then
    while read -r name p; do
      case "$listening" in *" $p "*) busy+=("$name:$p");; esac
    done < "$W/ports"
  fi
  if [ ${#busy[@]} -gt 0 ]; then
    echo "$PROG: FAILED in stop: ports still listening after every tor ended: ${busy[*]}" >&2
    return 1
  fi
  return 0
}

# ---------------------------------------------------------------- configuration

node_dir() { echo "$W/nodes/$1"; }
port_of() { awk -v k="$1" '$1 == k { print $2 }' "$W/ports"; }

alloc() { # alloc KEY: pick a port and record it as "KEY PORT"
  local p; p=$(pick_port); echo "$1 $p" >> "$W/ports"
  TAKEN[$p]=1
}

common_torrc() { # common_torrc NAME
  local name=$1 dir; dir=$(node_dir "$1")
  cat <<EOF
# Generated by tor/private-network.sh for a private test network: never for production.
TestingTorNetwork 1
DataDirectory $dir
PidFile $dir/tor.pid
Nickname $name
RunAsDaemon 0
Log notice file $dir/notice.log
Log info file $dir/info.log
SafeLogging 0
LogTimeGranularity 1
ShutdownWaitLength 0
ControlPort 127.0.0.1:$(port_of "$name.control")
CookieAuthentication 1
AddressDisableIPv6 1
ClientUseIPv6 0
# No GeoIP database: nothing here needs countries, and loading it costs about 35 MB per tor.
GeoIPFile $W/no-geoip
GeoIPv6File $W/no-geoip
# Fast bootstrap of a tiny network (as chutney's TestingTorNetwork templates).
AssumeReachable 1
PathsNeededToBuildCircuits 0.67
TestingDirAuthVoteExit *
TestingDirAuthVoteHSDir *
TestingDirAuthVoteGuard *
TestingMinExitFlagThreshold 0
V3AuthNIntervalsValid 2
EOF
  if [ -n "${LITSXG_TOR_OWNER_PID:-}" ]; then
    echo "__OwningControllerProcess $LITSXG_TOR_OWNER_PID"
  fi
  cat "$W/dirauthorities"
}

relay_torrc() { # relay_torrc NAME EXIT(0|1)
  local name=$1
  common_torrc "$name"
  cat <<EOF
SocksPort 0
Address 127.0.0.1
ORPort 127.0.0.1:$(port_of "$name.or")
DirPort 127.0.0.1:$(port_of "$name.dir")
ContactInfo $name@litsxg.test
EOF
  if [ "$2" = 1 ]; then
    printf 'ExitRelay 1\nExitPolicyRejectPrivate 0\nExitPolicy accept 127.0.0.0/8:*\nExitPolicy reject *:*\n'
  else
    printf 'ExitRelay 0\nExitPolicy reject *:*\n'
  fi
}

authority_torrc() {
  relay_torrc "$1" 0
  cat <<EOF
AuthoritativeDirectory 1
V3AuthoritativeDirectory 1
TestingV3AuthInitialVotingInterval 20
TestingV3AuthInitialVoteDelay 4
TestingV3AuthInitialDistDelay 4
V3AuthVotingInterval 20
V3AuthVoteDelay 4
V3AuthDistDelay 4
EOF
}

configure() { # configure TARGET_PORT VPORT
  local target=$1 vport=$2 i name dir v3 fpr
  mkdir -p "$W/nodes"; chmod 700 "$W" "$W/nodes"
  : > "$W/ports"; : > "$W/pids"; : > "$W/dirauthorities"; : > "$W/no-geoip"; rm -f "$W/env"
  note_listening
  AUTHS=(); RELAYS=()
  for ((i = 0; i < N_AUTH; i++)); do AUTHS+=("auth$i"); done
  for ((i = 0; i < N_RELAY; i++)); do RELAYS+=("relay$i"); done
  for name in "${AUTHS[@]}" "${RELAYS[@]}"; do alloc "$name.or"; alloc "$name.dir"; alloc "$name.control"; done
  alloc hs.control; alloc client.control; alloc client.socks

  for name in "${AUTHS[@]}"; do
    dir=$(node_dir "$name"); mkdir -m 700 -p "$dir/keys"
    # Authority identity and signing keys and certificate, as chutney makes them (empty passphrase).
    echo "" | "$TOR_GENCERT" --create-identity-key --passphrase-fd 0 -m 12 \
        -i "$dir/keys/authority_identity_key" -s "$dir/keys/authority_signing_key" \
        -c "$dir/keys/authority_certificate" -a "127.0.0.1:$(port_of "$name.dir")" \
        > "$dir/gencert.log" 2>&1 || die "in setup: tor-gencert for $name; see $dir/gencert.log"
    v3=$(awk '$1 == "fingerprint" { print $2 }' "$dir/keys/authority_certificate")
    fpr=$(relay_fingerprint "$name")
    echo "DirAuthority $name orport=$(port_of "$name.or") v3ident=$v3 127.0.0.1:$(port_of "$name.dir") $fpr" >> "$W/dirauthorities"
  done
  for name in "${AUTHS[@]}"; do authority_torrc "$name" > "$(node_dir "$name")/torrc"; done
  for ((i = 0; i < N_RELAY; i++)); do
    name=${RELAYS[$i]}; mkdir -m 700 -p "$(node_dir "$name")"
    # The first two relays are exits; TestingDirAuthVoteGuard/HSDir give every relay those flags.
    relay_torrc "$name" $(( i < 2 ? 1 : 0 )) > "$(node_dir "$name")/torrc"
  done
  dir=$(node_dir hs); mkdir -m 700 -p "$dir" "$dir/hidden_service"
  { common_torrc hs
    printf 'SocksPort 0\nHiddenServiceDir %s/hidden_service\nHiddenServiceVersion 3\nHiddenServicePort %s 127.0.0.1:%s\n' "$dir" "$vport" "$target"
  } > "$dir/torrc"
  dir=$(node_dir client); mkdir -m 700 -p "$dir"
  { common_torrc client; printf 'SocksPort 127.0.0.1:%s\n' "$(port_of client.socks)"; } > "$dir/torrc"
  echo "$vport" > "$W/vport"
}

# The relay identity fingerprint of an authority (keys made in its data directory now).
relay_fingerprint() {
  local dir; dir=$(node_dir "$1")
  "$TOR" --ignore-missing-torrc -f /dev/null --DataDirectory "$dir" --ORPort 1 \
      --DirAuthority "xyzzy 127.0.0.1:1 ffffffffffffffffffffffffffffffffffffffff" \
      --list-fingerprint --Log "err stderr" > "$dir/fingerprint.log" 2>&1 \
    || die "in setup: tor --list-fingerprint for $1; see $dir/fingerprint.log"
  awk '{ print $2 }' "$dir/fingerprint"
}

# ---------------------------------------------------------------- running

launch() { # launch NAME: start one tor in the background, record its PID
  local name=$1 dir; dir=$(node_dir "$1")
  "$TOR" -f "$dir/torrc" < /dev/null > "$dir/stdout.log" 2>&1 &
  echo "$name $!" >> "$W/pids"
}

# Fails the phase when a recorded tor has exited.
check_alive() { # check_alive PHASE
  local name pid
  while read -r name pid; do
    ours_alive "$pid" || die "in $1: tor '$name' (PID $pid) exited; see $(node_dir "$name")/notice.log and stdout.log"
  done < "$W/pids"
}

# Nicknames listed Running in an authority's current consensus.
running_in_consensus() {
  local f best=0 n
  for f in "$W"/nodes/auth*/cached-consensus; do
    [ -f "$f" ] || continue
    n=$(awk '$1 == "r" { nick = $2 } $1 == "s" && / Running/ && / Valid/ { print nick }' "$f" | sort -u | wc -l)
    [ "$n" -gt "$best" ] && best=$n
  done
  echo "$best"
}

wait_consensus() {
  local want=$((N_AUTH + N_RELAY)) deadline=$(( $(date +%s) + CONSENSUS_TIMEOUT )) n=0 last=-1
  while :; do
    check_alive "phase 1 (authorities and relays)"
    n=$(running_in_consensus)
    [ "$n" != "$last" ] && { log "consensus lists $n of $want relays as Running"; last=$n; }
    [ "$n" -ge "$want" ] && return 0
    [ "$(date +%s)" -lt "$deadline" ] \
      || die "in phase 1 (authorities and relays): the consensus lists $n of $want relays after ${CONSENSUS_TIMEOUT}s; see $W/nodes/auth0/notice.log"
    sleep 2
  done
}

# Writes a byte given in decimal.
byte() { printf "\\$(printf '%03o' "$1")"; }

# One probe: SOCKS5 CONNECT to host:port by name through the SocksPort, then the probe line.
# Prints what happened; exit 0 when the onion answered as expected.
probe_once() { # probe_once SOCKSPORT HOST PORT
  local socks=$1 host=$2 port=$3 reply line
  exec 3<>"/dev/tcp/127.0.0.1/$socks" || { echo "cannot connect to SocksPort $socks"; return 1; }
  { byte 5; byte 1; byte 0; } >&3
  reply=$(dd bs=1 count=2 <&3 2>/dev/null | od -An -tx1 | tr -d ' \n')
  [ "$reply" = 0500 ] || { echo "SOCKS5 greeting answered '$reply'"; exec 3<&-; return 1; }
  { byte 5; byte 1; byte 0; byte 3; byte ${#host}; printf '%s' "$host"; byte $((port >> 8)); byte $((port & 255)); } >&3
  reply=$(dd bs=1 count=10 <&3 2>/dev/null | od -An -tx1 | tr -d ' \n')
  case "$reply" in
    0500*) ;;
    "") echo "SocksPort closed without a CONNECT reply"; exec 3<&-; return 1;;
    *) echo "SOCKS5 CONNECT reply code 0x${reply:2:2} (reply $reply)"; exec 3<&-; return 1;;
  esac
  if [ -z "$PROBE_SEND" ]; then exec 3<&-; echo "SOCKS5 CONNECT succeeded"; return 0; fi
  printf '%s\n' "$PROBE_SEND" >&3
  if ! IFS= read -r -t 30 line <&3; then echo "connected, but no answer to $PROBE_SEND within 30 s"; exec 3<&-; return 1; fi
  line=${line%$'\r'}
  printf 'QUIT\n' >&3 2>/dev/null || true
  exec 3<&-
  [ "$line" = "$PROBE_EXPECT" ] || { echo "connected, but $PROBE_SEND was answered '$line'"; return 1; }
  echo "$PROBE_SEND answered $line"
}

wait_reachable() {
  local socks onion host vport deadline out attempt=0 t
  socks=$(port_of client.socks); vport=$(cat "$W/vport")
  deadline=$(( $(date +%s) + ONION_TIMEOUT ))
  while [ ! -s "$W/nodes/hs/hidden_service/hostname" ]; do
    check_alive "phase 2 (onion service and client)"
    [ "$(date +%s)" -lt "$deadline" ] || die "in phase 2: no onion hostname written; see $W/nodes/hs/notice.log"
    sleep 1
  done
  host=$(cat "$W/nodes/hs/hidden_service/hostname")
  printf 'SOCKS=127.0.0.1:%s\nONION=%s:%s\n' "$socks" "$host" "$vport" > "$W/env"
  log "onion $host:$vport, client SocksPort 127.0.0.1:$socks; probing until reachable (at most ${ONION_TIMEOUT}s)"
  while :; do
    check_alive "phase 3 (reaching the onion)"
    attempt=$((attempt + 1)); t=$(date +%s)
    if out=$(timeout 90 bash -c "$(declare -f byte probe_once); PROBE_SEND='$PROBE_SEND' PROBE_EXPECT='$PROBE_EXPECT' probe_once $socks $host $vport" 2>&1); then
      log "reachable on attempt $attempt: $out"
      return 0
    fi
    log "attempt $attempt ($(( $(date +%s) - t ))s): ${out:-probe timed out}"
    [ "$(date +%s)" -lt "$deadline" ] \
      || die "in phase 3: the onion $host:$vport was not reachable through 127.0.0.1:$socks within ${ONION_TIMEOUT}s (last: ${out:-timeout}); see $W/nodes/hs/notice.log and $W/nodes/client/notice.log"
    sleep 3
  done
}

rss_report() {
  local name pid kb total=0 n=0
  while read -r name pid; do
    ours_alive "$pid" || continue
    kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)
    total=$((total + kb)); n=$((n + 1))
  done < "$W/pids"
  log "$n tor processes, RSS $((total / 1024)) MiB in all"
}

# ---------------------------------------------------------------- commands

cmd=${1:-}; [ $# -ge 2 ] || usage
W=$2
case "$W" in /*) ;; *) W="$(pwd)/$W";; esac

case "$cmd" in
  start)
    [ $# -ge 3 ] || usage
    target=$3; shift 3
    vport=7667; nowait=0
    while [ $# -gt 0 ]; do
      case "$1" in
        --vport) vport=$2; shift 2;;
        --no-wait) nowait=1; shift;;
        *) usage;;
      esac
    done
    [[ "$target" =~ ^[0-9]+$ ]] && [ "$target" -ge 1 ] && [ "$target" -le 65535 ] || die "in setup: bad target port '$target'"
    command -v "$TOR" >/dev/null || die "in setup: '$TOR' not found (apt-get install tor)"
    command -v "$TOR_GENCERT" >/dev/null || die "in setup: '$TOR_GENCERT' not found (apt-get install tor)"
    mkdir -p "$W"
    if [ -s "$W/pids" ]; then
      while read -r n p; do ours_alive "$p" && die "in setup: a network is already running in $W (stop it first)"; done < "$W/pids"
    fi
    rm -rf "$W/nodes"
    # From here on, a failure or a signal leaves nothing running.
    trap 'rc=$?; trap - EXIT; if [ $rc -ne 0 ]; then log "tearing down after failure (logs kept in $W/nodes)"; stop_all || true; fi; exit $rc' EXIT
    trap 'die "in start: interrupted by a signal"' INT TERM HUP
    log "configuring $N_AUTH authorities, $N_RELAY relays, an onion service and a client in $W ($("$TOR" --version | head -1))"
    configure "$target" "$vport"
    log "phase 1: starting authorities and relays"
    for n in "${AUTHS[@]}" "${RELAYS[@]}"; do launch "$n"; done
    wait_consensus
    log "phase 2: starting the onion service (127.0.0.1:$target) and the client"
    launch hs; launch client
    if [ $nowait = 1 ]; then
      while [ ! -s "$W/nodes/hs/hidden_service/hostname" ]; do check_alive "phase 2 (onion service and client)"; sleep 0.5; done
      printf 'SOCKS=127.0.0.1:%s\nONION=%s:%s\n' "$(port_of client.socks)" "$(cat "$W/nodes/hs/hidden_service/hostname")" "$vport" > "$W/env"
    else
      wait_reachable
      log "up in $(( $(date +%s) - T0 ))s"
    fi
    rss_report
    cat "$W/env"
    ;;
  wait)
    [ -f "$W/env" ] || die "in wait: no network started in $W"
    wait_reachable
    rss_report
    cat "$W/env"
    ;;
  stop)
    stop_all || exit 1
    log "stopped; every port is free (logs kept in $W/nodes)"
    ;;
  status)
    [ -f "$W/pids" ] || { echo "no network in $W"; exit 1; }
    running=0
    while read -r n p; do if ours_alive "$p"; then echo "$n $p running"; running=1; else echo "$n $p stopped"; fi; done < "$W/pids"
    [ -f "$W/env" ] && cat "$W/env"
    [ $running = 1 ] && rss_report
    ;;
  *) usage;;
esac
