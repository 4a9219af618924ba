#!/usr/bin/env bash
# fake-nodes.sh - several fake nodes on one Linux machine, for tests across nodes (root only).
#
# Each fake node is a set of namespaces of its own: network (an `eth0` on a private subnet, joined
# to the others by a bridge in a namespace of its own), UTS (its hostname, node1 .. nodeN), IPC
# (its System V shared memory), PID (its processes; killing its first process kills them all) and
# mount (its own /dev/shm, /tmp, /proc, /sys and an /etc/hosts that names the nodes). Nothing is
# made in the machine's own network namespace and no name is registered anywhere (no `ip netns`):
# the namespaces live exactly as long as their holder processes, which end when the fifo they
# wait on loses its last writer, so a fake cluster vanishes with whoever started it, even when
# that was killed with SIGKILL.
#
#   fake-nodes.sh run [--nodes N] [--subnet A.B.C] -- COMMAND [ARGS...]
#       Make N nodes (default 2), run COMMAND on node1 (working directory kept), tear them down,
#       exit with COMMAND's status. Under COMMAND, `mpirun --host node1:2,node2:2 ...` starts
#       ranks on the nodes (Open MPI's rsh agent is set to this script's `agent`).
#   fake-nodes.sh up DIR [--nodes N] [--subnet A.B.C]
#       Make the nodes and leave them up (state in DIR, which must not exist) until `down DIR`.
#   fake-nodes.sh exec DIR NODE COMMAND [ARGS...]      run COMMAND on NODE (e.g. node2)
#   fake-nodes.sh down DIR                             end every process of the nodes, remove DIR
#   fake-nodes.sh check
#       Exit 0 when fake nodes can be made here; else say why and exit 77 (ctest's skip code), as
#       `run` does too. MANTA_FAKE_NODES_SEARCH_PATH: where to look for the tools (default $PATH).
#   fake-nodes.sh agent NODE COMMAND...                Open MPI's plm_rsh_agent (not for people)
#
# Inside the nodes (run, exec) these are set: MANTA_FAKE_NODES (DIR), MANTA_FAKE_NODE (the node),
# MANTA_FAKE_NODES_SCRIPT (this script), OMPI_MCA_plm_rsh_agent, OMPI_MCA_plm_rsh_no_tree_spawn,
# OMPI_MCA_oob_tcp_if_include and OMPI_MCA_btl_tcp_if_include (eth0), OMPI_MCA_btl
# (self,vader,tcp), UCX_NET_DEVICES (eth0), TMPDIR (the node's /tmp). See tests/multinode/README.md.
set -euo pipefail
PATH=$PATH:/usr/sbin:/sbin
self=$(readlink -f "${BASH_SOURCE[0]}")
prog=fake-nodes

say() { echo "$prog: $*" >&2; }
die() {
  say "error: $*"
  exit 1
}

# ------------------------------------------------------------------------------------ checks
# Prints why fake nodes cannot be made here, if they cannot.
why_not() {
  local tool
  if [[ $(id -u) != 0 ]]; then
    echo "not root (namespaces, veths and mounts need root)"
    return
  fi
  for tool in ip unshare nsenter setsid mount mountpoint mkfifo timeout; do
    if ! PATH=${MANTA_FAKE_NODES_SEARCH_PATH:-$PATH} command -v "$tool" >/dev/null; then
      echo "'$tool' not found (iproute2, util-linux; cmake/install-debian-deps.sh installs them)"
      return
    fi
  done
  if ! unshare --net --uts --ipc --mount --pid --fork --mount-proc true 2>/dev/null; then
    echo "cannot create namespaces here (unshare --net --uts --ipc --mount --pid failed)"
    return
  fi
  if ! unshare --net sh -c 'ip link add v0 type veth peer name v1 && ip link add b0 type bridge' \
    2>/dev/null; then
    echo "cannot create veth pairs or bridges here (ip link add ... type veth|bridge failed)"
  fi
}

# ------------------------------------------------------------------------------------ a node
# The holder: the first process of a node's namespaces (PID 1 of its PID namespace). It sets the
# node up, says so, and waits until the fifo has no writer left; when it ends, the kernel kills
# every process of the node and the namespaces, their interfaces and mounts go with them.
holder() {
  local name=$1 dir=$2
  if [[ $name != switch ]]; then
    hostname "$name"
    mount -t tmpfs -o mode=1777,size=50% "$name-shm" /dev/shm
    mount --bind "$dir/$name/tmp" /tmp # on disk, as a node's /tmp (Manta spills there)
    # A sysfs of this network namespace (UCX lists /sys/class/net), with the machine's cgroup
    # file systems moved over into it (slurmd wants them there, even without using them).
    if mountpoint -q /sys/fs/cgroup; then
      mkdir -p "$dir/$name/cgroup"
      mount --rbind /sys/fs/cgroup "$dir/$name/cgroup"
    fi
    mount -t sysfs "$name-sys" /sys
    if [[ -d $dir/$name/cgroup ]]; then
      mount --move "$dir/$name/cgroup" /sys/fs/cgroup
    fi
    mount --bind "$dir/hosts" /etc/hosts
  fi
  ip link set lo up
  [[ $name != switch ]] || echo "$$" >"$dir/$name/pid" # (a node's $$ is 1, of its own namespace)
  exec 3<"$dir/alive"
  echo "$name" >"$dir/$name/ready"
  while read -r _ <&3; do :; done
  # Whoever held the fifo is gone without `down` (killed): the switch's holder, which shares the
  # machine's mount namespace, removes the state once the nodes have ended.
  if [[ $name == switch ]]; then
    local pidfile
    for pidfile in "$dir"/node*/pid; do
      while running "$(cat "$pidfile")"; do sleep 0.05; done
    done
    rm -rf --one-file-system -- "$dir"
  fi
}

# child_of PID: the first child of PID, once it has one.
child_of() {
  local parent=$1 children i
  for ((i = 0; i < 1000; i++)); do
    children=$(cat "/proc/$parent/task/$parent/children" 2>/dev/null || true)
    if [[ -n $children ]]; then
      echo "${children%% *}"
      return
    fi
    sleep 0.02
  done
  return 1
}

# start_holder NAME DIR: the switch (a network namespace only), node1 (namespaces of its own), or
# another node, whose PID namespace is made inside node1's: so that an agent on node1 (where
# mpirun runs) can enter it (setns enters only descendant PID namespaces), and so that when
# node1's holder ends, the kernel kills every process of every node.
start_holder() {
  local name=$1 dir=$2 launcher pid='' i
  local unshare_node=(unshare --net --uts --ipc --mount --pid --fork --kill-child --mount-proc
              --propagation private -- "$self" holder "$name" "$dir")
  mkdir -p "$dir/$name/tmp"
  chmod 1777 "$dir/$name/tmp"
  case $name in
    switch)
      # Outside the caller's process tree and group (setsid -f), so that when a test's whole tree
      # is killed (ctest at a timeout), it lives on to remove the state once the nodes are gone.
      setsid -f unshare --net -- "$self" holder "$name" "$dir" {alive}>&- </dev/null \
        >"$dir/$name/log" 2>&1
      ;;
    node1)
      "${unshare_node[@]}" {alive}>&- </dev/null >"$dir/$name/log" 2>&1 &
      disown
      pid=$(child_of $!) || die "the holder of $name did not start: $(cat "$dir/$name/log")"
      ;;
    *)
      # (node1's PID read first: a $(cat) in the background command would be its first child.)
      launcher=$(cat "$dir/node1/pid")
      nsenter --target "$launcher" --pid -- "${unshare_node[@]}" {alive}>&- </dev/null \
        >"$dir/$name/log" 2>&1 &
      disown
      launcher=$(child_of $!) || die "the holder of $name did not start: $(cat "$dir/$name/log")"
      pid=$(child_of "$launcher") ||
        die "the holder of $name did not start: $(cat "$dir/$name/log")"
      # Its PID as node1 sees it (NSpid: machine, node1, its own).
      awk '$1 == "NSpid:" { print $3 }' "/proc/$pid/status" >"$dir/$name/pid.node1"
      ;;
  esac
  [[ -z ${pid:-} ]] || echo "$pid" >"$dir/$name/pid"
  for ((i = 0; i < 1000; i++)); do
    [[ -f $dir/$name/ready ]] && return
    if [[ -f $dir/$name/pid ]] && ! kill -0 "$(cat "$dir/$name/pid")" 2>/dev/null; then
      die "the holder of $name ended during set-up: $(cat "$dir/$name/log")"
    fi
    sleep 0.02
  done
  die "$name was not ready after 20 s: $(cat "$dir/$name/log")"
}

# in_node DIR NAME COMMAND...: COMMAND in NAME's namespaces, working directory kept. From the
# machine any node can be entered; from node1 the others (its descendants); from other nodes none.
in_node() {
  local dir=$1 name=$2
  shift 2
  local here=${MANTA_FAKE_NODE:-} pidfile=$dir/$name/pid
  [[ -f $pidfile ]] || die "no node '$name' in $dir"
  if [[ $name == switch ]]; then
    nsenter --target "$(cat "$pidfile")" --net -- "$@"
    return
  fi
  local env=(env MANTA_FAKE_NODES="$dir" MANTA_FAKE_NODE="$name" MANTA_FAKE_NODES_SCRIPT="$self"
             TMPDIR=/tmp
             OMPI_MCA_plm_rsh_agent="$self agent" OMPI_MCA_plm_rsh_no_tree_spawn=1
             OMPI_MCA_oob_tcp_if_include=eth0 OMPI_MCA_btl_tcp_if_include=eth0
             "OMPI_MCA_btl=self,vader,tcp" UCX_NET_DEVICES=eth0)
  if [[ $here == "$name" ]]; then
    "${env[@]}" "$@"
    return
  fi
  case $here in
    "") ;;
    node1) pidfile=$dir/$name/pid.node1 ;;
    *) die "$here cannot start processes on $name: only node1 (or the machine) can" ;;
  esac
  nsenter --target "$(cat "$pidfile")" --net --uts --ipc --mount --pid --root --wd="$PWD" -- \
    "${env[@]}" "$@"
}

# ------------------------------------------------------------------------------------ up, down
# up_nodes DIR N SUBNET: the switch, N nodes, their links. The caller holds DIR/alive open for
# writing (fd $alive) for as long as the nodes are to live.
up_nodes() {
  local dir=$1 nodes=$2 subnet=$3 i name links
  {
    printf '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n'
    for ((i = 1; i <= nodes; i++)); do echo "$subnet.$i node$i"; done
  } >"$dir/hosts"
  start_holder switch "$dir"
  links="link add br0 type bridge"$'\n'"link set br0 up"$'\n'
  for ((i = 1; i <= nodes; i++)); do
    name=node$i
    start_holder "$name" "$dir"
    # Made in the switch's namespace, one end moved straight into the node's: no interface ever
    # appears in the machine's own namespace.
    links+="link add $name type veth peer name eth0 netns $(cat "$dir/$name/pid")"$'\n'
    links+="link set $name master br0 up"$'\n'
  done
  in_node "$dir" switch ip -batch - <<<"$links"
  for ((i = 1; i <= nodes; i++)); do
    printf 'addr add %s/24 dev eth0\nlink set eth0 up\n' "$subnet.$i" \
      | nsenter --target "$(cat "$dir/node$i/pid")" --net ip -batch -
    echo "node$i" >>"$dir/nodes"
  done
  for ((i = 2; i <= nodes; i++)); do
    reachable "$dir" "node$i" || die "node1 cannot reach node$i over the fake network"
  done
}

reachable() { # reachable DIR NODE: node1 reaches NODE (links take a moment to come up)
  local dir=$1 node=$2 i said
  for ((i = 0; i < 50; i++)); do
    # Nothing listens on port 1: "refused" proves the packets went there and back.
    said=$(in_node "$dir" node1 timeout 1 bash -c "echo >/dev/tcp/$node/1" 2>&1 || true)
    [[ $said == *refused* ]] && return 0
    sleep 0.1
  done
  return 1
}

# ours PID DIR: PID is still a process this cluster started (a holder or the keeper of DIR), not
# another that took its number since.
ours() {
  local cmdline
  cmdline=$({ tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null) || return 1
  [[ $cmdline == *" holder "*" $2 " || $cmdline == *" keeper $2 " ]]
}

running() { # running PID: PID exists and is not a zombie
  local state
  state=$(awk '$1 == "State:" { print $2 }' "/proc/$1/status" 2>/dev/null) || return 1
  [[ -n $state && $state != Z && $state != X ]]
}

down_nodes() { # down_nodes DIR: SIGKILL every holder (each takes its node's processes along)
  local dir=$1 pidfile pid pids=()
  # The switch first: it would remove DIR itself once the fifo has no writer.
  for pidfile in "$dir"/switch/pid "$dir"/node*/pid "$dir"/keeper.pid; do
    [[ -f $pidfile ]] || continue
    pid=$(cat "$pidfile")
    if ours "$pid" "$dir"; then
      kill -KILL "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
  done
  for pid in "${pids[@]}"; do
    while running "$pid"; do sleep 0.02; done
  done
  rm -rf --one-file-system -- "$dir"
}

parse_options() { # sets nodes, subnet; leaves the rest in args
  nodes=2 subnet=10.213.0 args=()
  while [[ $# -gt 0 ]]; do
    case $1 in
      --nodes) nodes=$2; shift 2 ;;
      --subnet) subnet=$2; shift 2 ;;
      --) shift; args+=("$@"); break ;;
      *) args+=("$1"); shift ;;
    esac
  done
  [[ $nodes =~ ^[1-9][0-9]*$ && $nodes -le 250 ]] || die "--nodes takes 1 .. 250, not '$nodes'"
  [[ $subnet =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "--subnet takes A.B.C (a /24), not '$subnet'"
}

# remove_stale: state directories of clusters whose every process is gone (a run killed with
# its holders, as ctest does at a timeout), left in /var/tmp; not those of the last minute, which
# may still be starting.
remove_stale() {
  local dir pidfile live
  for dir in /var/tmp/manta-fake-nodes.*; do
    [[ -d $dir && -n $(find "$dir" -maxdepth 0 -mmin +1) ]] || continue
    live=0
    for pidfile in "$dir"/*/pid "$dir"/keeper.pid; do
      [[ -f $pidfile ]] && ours "$(cat "$pidfile")" "$dir" && live=1
    done
    [[ $live == 1 ]] || rm -rf --one-file-system -- "$dir"
  done
}

new_state_dir() { # new_state_dir [DIR]: make DIR (or a fresh one) with its fifo, print it
  local dir=${1:-}
  if [[ -z $dir ]]; then
    remove_stale
    dir=$(mktemp -d /var/tmp/manta-fake-nodes.XXXXXX)
  else
    [[ ! -e $dir ]] || die "$dir exists (a cluster is up there? fake-nodes.sh down $dir)"
    mkdir -p "$dir"
  fi
  chmod 0755 "$dir" # munged, when Slurm runs on the nodes, wants its socket's path open to all
  dir=$(readlink -f "$dir")
  # Each node has a /tmp of its own, so the state (read by the agent inside the nodes) is not there.
  if [[ $dir == /tmp || $dir == /tmp/* ]]; then
    rmdir "$dir"
    die "the state directory must not be under /tmp (each node has its own): $dir"
  fi
  mkfifo "$dir/alive"
  echo "$dir"
}

skip_unless_possible() { # exit 77 (ctest's skip), saying why, where no fake nodes can be made
  local reason
  reason=$(why_not)
  if [[ -n $reason ]]; then
    echo "skipped: no fake nodes here: $reason"
    exit 77
  fi
}

cmd_run() {
  parse_options "$@"
  [[ ${#args[@]} -gt 0 ]] || die "run: no command given"
  skip_unless_possible
  local status=0
  run_dir=$(new_state_dir)
  local dir=$run_dir
  exec {alive}<>"$dir/alive"
  trap 'down_nodes "$run_dir"' EXIT
  trap 'exit 143' TERM
  trap 'exit 130' INT
  up_nodes "$dir" "$nodes" "$subnet"
  # In the background, so that a TERM or INT is served at once (bash defers traps until a
  # foreground command ends): the nodes, COMMAND with them, go down on the way out. (Its stdin
  # named, which a background command would otherwise lose.)
  in_node "$dir" node1 "${args[@]}" {alive}>&- 0<&0 &
  wait $! || status=$?
  return "$status"
}

cmd_up() {
  [[ $# -ge 1 ]] || die "up: which directory?"
  local dir=$1
  shift
  parse_options "$@"
  dir=$(new_state_dir "$dir")
  # The keeper holds the fifo open while the nodes are up; `down` kills it.
  "$self" keeper "$dir" </dev/null >/dev/null 2>&1 &
  echo $! >"$dir/keeper.pid"
  exec {alive}<>"$dir/alive"
  if ! (up_nodes "$dir" "$nodes" "$subnet"); then
    down_nodes "$dir"
    exit 1
  fi
  say "$nodes node(s) up in $dir: $(paste -sd' ' "$dir/nodes") on $subnet.0/24"
}

cmd_agent() { # agent NODE COMMAND...: what ssh would do, into a fake node
  local node=$1
  shift
  [[ -n ${MANTA_FAKE_NODES:-} ]] || die "agent: MANTA_FAKE_NODES is not set (run it in a node)"
  node=${node#*@}
  in_node "$MANTA_FAKE_NODES" "$node" /bin/sh -c "$*"
}

case ${1:-} in
  run) shift; cmd_run "$@" ;;
  up) shift; cmd_up "$@" ;;
  down)
    [[ $# -eq 2 && -d $2 ]] || die "down: which directory?"
    down_nodes "$(readlink -f "$2")"
    ;;
  exec)
    [[ $# -ge 4 ]] || die "exec: DIR NODE COMMAND..."
    in_node "$(readlink -f "$2")" "$3" "${@:4}"
    ;;
  check) skip_unless_possible ;;
  agent) shift; cmd_agent "$@" ;;
  holder) shift; holder "$@" ;;
  keeper) # holds the fifo open for writing (and reads it: nobody writes) until killed
    exec 3<>"$2/alive"
    read -r _ <&3
    ;;
  *) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2; exit 2 ;;
esac
