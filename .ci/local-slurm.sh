#!/usr/bin/env bash
# A real one-node SLURM cluster on this machine, to test the pipeline's SLURM profile end to end.
#
#   .ci/local-slurm.sh up     install SLURM and munge from Debian's packages (root), start the daemons
#   .ci/local-slurm.sh run    run the default pipeline and the screen (trials/screen.yaml) locally and with
#                             `--profile workflow/profiles/slurm` in two fresh copies of the repository;
#                             every output must be byte-identical
#   .ci/local-slurm.sh down   stop every daemon this script started (by PID) and restore slurm.conf
#   .ci/local-slurm.sh all    up, run, down (down also when run fails)
#
# Made for a root shell on Debian with no systemd and no cgroups (a container or a CI machine): the
# daemons run in the foreground, in the background, and their PIDs are recorded in $STATE. Settings
# that matter there (each found the hard way):
# - proctrack/linuxproc, task/none, jobacct_gather/none and no cgroup.conf (no cgroups);
# - the standard /etc/slurm/slurm.conf: the jobstep plugin drops SLURM_CONF before its inner srun,
#   so a private config path makes every job fail;
# - no accounting database, so `sacct` fails: the profile asks squeue for job states, and
#   MinJobAge=600 keeps finished jobs visible to squeue long enough.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
STATE="${HIPLBP_SLURM_STATE:-/tmp/hiplbp-slurm}"
CONF=/etc/slurm/slurm.conf

say() { echo "local-slurm: $*"; }

install() {
  if command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v munged >/dev/null \
    && command -v sbatch >/dev/null; then
    return
  fi
  say "installing slurmctld, slurmd, slurm-client and munge from Debian's packages"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurmctld slurmd slurm-client munge >/dev/null
}

start() {  # start NAME COMMAND...: run in the background, record the PID
  local name=$1
  shift
  "$@" >"$STATE/$name.log" 2>&1 &
  echo $! >"$STATE/$name.pid"
  say "started $name (pid $!)"
}

running() {  # is the daemon NAME that this script started still alive?
  [ -f "$STATE/$1.pid" ] && kill -0 "$(cat "$STATE/$1.pid")" 2>/dev/null
}

up() {
  [ "$(id -u)" = 0 ] || { say "needs root (it installs packages and writes $CONF)"; exit 2; }
  if running slurmctld && running slurmd && running munged; then
    say "already up (pids in $STATE)"
    return
  fi
  down
  install
  mkdir -p "$STATE" /run/munge /var/log/munge /var/lib/munge /etc/munge /var/lib/slurm/slurmctld \
    /var/lib/slurm/slurmd /var/log/slurm
  if [ ! -s /etc/munge/munge.key ]; then
    say "making a munge key"
    dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none
  fi
  chown -R munge:munge /etc/munge /run/munge /var/log/munge /var/lib/munge 2>/dev/null || true
  chmod 0400 /etc/munge/munge.key
  chmod 0755 /run/munge
  start munged runuser -u munge -- munged --foreground
  for _ in $(seq 50); do [ -S /run/munge/munge.socket.2 ] && break; sleep 0.1; done
  local host node
  host="$(hostname)"
  node="$(slurmd -C | head -n 1) NodeAddr=127.0.0.1"
  if [ -e "$CONF" ] && [ ! -e "$STATE/slurm.conf.orig" ]; then cp "$CONF" "$STATE/slurm.conf.orig"; fi
  mkdir -p /etc/slurm
  cat >"$CONF" <<EOF
# Written by hiplbp's .ci/local-slurm.sh (the original, if any, is restored by 'down').
ClusterName=hiplbp
SlurmctldHost=${host}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=/var/lib/slurm/slurmctld
SlurmdSpoolDir=/var/lib/slurm/slurmd
SlurmctldPidFile=$STATE/slurmctld.slurm.pid
SlurmdPidFile=$STATE/slurmd.slurm.pid
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MailProg=/bin/true
MinJobAge=600
ReturnToService=2
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
${node}
PartitionName=main Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
  start slurmctld slurmctld -D
  sleep 1
  start slurmd slurmd -D
  for _ in $(seq 60); do
    if sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
      say "cluster up: $(sinfo -h -o '%P %D %T %c CPUs')"
      return
    fi
    sleep 1
  done
  say "the node never became idle; see $STATE/*.log and /var/log/slurm/"
  exit 1
}

down() {
  for name in slurmd slurmctld munged; do
    if [ -f "$STATE/$name.pid" ]; then
      pid="$(cat "$STATE/$name.pid")"
      # runuser's child is the daemon: stop the whole group of the recorded PID's children too
      pkill -TERM -P "$pid" 2>/dev/null || true
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
      rm -f "$STATE/$name.pid"
      say "stopped $name (pid $pid)"
    fi
  done
  if [ -f "$STATE/slurm.conf.orig" ]; then
    mv "$STATE/slurm.conf.orig" "$CONF"
  elif [ -f "$CONF" ] && head -n 1 "$CONF" | grep -q "hiplbp's .ci/local-slurm.sh"; then
    rm -f "$CONF"
  fi
}

copy() {  # a fresh copy of the checkout without results, environments or caches
  git -C "$repo" ls-files -z | (cd "$repo" && xargs -0 tar cf -) | (mkdir -p "$1" && cd "$1" && tar xf -)
  ln -s "$repo/.venv" "$1/.venv"
}

run() {
  local work bin
  work="$(mktemp -d)"
  bin="$repo/.venv/bin"
  "$bin/pip" install -q -r "$repo/requirements-slurm.txt" -c "$repo/requirements-lock.txt"
  copy "$work/local"
  copy "$work/slurm"
  say "local run in $work/local (the default pipeline, then the screen of trials/screen.yaml)"
  (cd "$work/local" && "$bin/snakemake" --cores 2 -q >"$work/local.out" 2>&1 \
    && "$bin/snakemake" --cores 2 -q --configfile trials/screen.yaml >>"$work/local.out" 2>&1) \
    || { tail -n 40 "$work/local.out"; exit 1; }
  say "SLURM run in $work/slurm (snakemake --profile workflow/profiles/slurm)"
  local t0=$SECONDS jobs
  (cd "$work/slurm" && "$bin/snakemake" --profile workflow/profiles/slurm -q >"$work/slurm.out" 2>&1 \
    && "$bin/snakemake" --profile workflow/profiles/slurm -q --configfile trials/screen.yaml >>"$work/slurm.out" 2>&1) || {
    tail -n 40 "$work/slurm.out"
    exit 1
  }
  # finished jobs stay listed for MinJobAge (600 s): count those that ran in this copy
  jobs="$(squeue -h -t all -o '%Z' 2>/dev/null | grep -cxF "$work/slurm" || true)"
  say "SLURM run took $((SECONDS - t0)) s; $jobs jobs ran through SLURM"
  [ "$jobs" -gt 0 ] || { say "no job was submitted to SLURM"; exit 1; }
  local n=0 diff=0
  while IFS= read -r f; do
    n=$((n + 1))
    cmp -s "$work/local/$f" "$work/slurm/$f" || { say "differs: $f"; diff=$((diff + 1)); }
  done < <(cd "$work/local" && find results -type f ! -path 'results/*/logs/*' ! -path 'results/*/benchmarks/*' \
    ! -path 'results/screen/trials/*/logs/*' ! -path 'results/screen/trials/*/benchmarks/*' \
    ! -name .snakemake_timestamp | sort)
  [ "$n" -gt 0 ] || { say "no outputs to compare"; exit 1; }
  if [ "$diff" -gt 0 ]; then
    say "$diff of $n outputs differ between the local and the SLURM run"
    exit 1
  fi
  say "all $n outputs are byte-identical between the local and the SLURM run"
  rm -rf "$work"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  run) run ;;
  all)
    up
    trap down EXIT
    run
    ;;
  *)
    echo "usage: $0 up|run|down|all" >&2
    exit 2
    ;;
esac
