#!/usr/bin/env bash
# End-to-end: the atlas on a real Slurm scheduler. Installs Debian's slurm-wlm and munge, starts a
# one-node cluster on localhost (munged, slurmctld and slurmd with a minimal slurm.conf in a
# temporary folder, on their own ports and munge socket, so nothing system-wide is touched),
# submits deploy/slurm/atlas.sbatch as a 3-task array job (ids 1-3, so SLURM_ARRAY_TASK_MIN
# matters) plus its merge job, and checks that the sharded atlas and its pages equal an unsharded
# run of the same layer byte for byte. Stops the daemons it started. About 2 minutes after the build.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
layer=_blocks.1            # 24 channels: three batches of 8, one per shard
args="--steps 24 --size 64"

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
fi
# The debug build the earlier checks made (its C kernels are optimized; a release build would add
# ten minutes of CI for a 24-channel layer).
nice -n 10 swift build --product fvbook
fvbook=$root/.build/debug/fvbook

work=$(mktemp -d /tmp/fvbook-slurm.XXXXXX)
chmod 755 "$work"
stop() {
    for daemon in slurmd slurmctld munged; do
        [ -f "$work/$daemon.pid" ] && kill "$(cat "$work/$daemon.pid")" 2>/dev/null || true
    done
    sleep 1
    rm -rf "$work"
}
trap stop EXIT

# munge with its own key and socket.
mungekey -c -k "$work/munge.key"
munged --force -S "$work/munge.sock" --key-file="$work/munge.key" --log-file="$work/munged.log" \
       --pid-file="$work/munged.pid" --seed-file="$work/munged.seed"

node=$(hostname -s)
mkdir -p "$work/state" "$work/spool"
cat > "$work/slurm.conf" <<CONF
ClusterName=fvbook-ci
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$work/munge.sock
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
SwitchType=switch/none
MailProg=/bin/true
NodeName=$node NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=4000 State=UNKNOWN
PartitionName=ci Nodes=ALL Default=YES MaxTime=30 State=UP
CONF
export SLURM_CONF=$work/slurm.conf
slurmctld -i
slurmd
for _ in $(seq 30); do
    sinfo -h -o %T 2>/dev/null | grep -q idle && break
    sleep 1
done
sinfo -h -o %T | grep -q idle || { echo "slurm node did not come up" >&2; tail "$work"/slurm*.log >&2; exit 1; }

# The same layer unsharded, outside Slurm: the reference. Its atlas.json names the machine code it
# ran (CPU, kernels, OpenBLAS core); the array tasks get that OpenBLAS core explicitly, so the
# comparison is about sharding. (A CI run on an Intel Xeon once had its tasks on OpenBLAS's
# Prescott kernels while the reference ran SkylakeX; the manifest now records the core and the
# diff below names it if that happens again.)
( cd "$root" && "$fvbook" atlas --layers "$layer" $args --out "$work/whole" \
    && "$fvbook" atlas --merge "$work/whole" --site "$work/site-whole" )
core=$(sed -n 's/.*"machineCode" : "[^"]* core \([A-Za-z0-9_]*\).*/\1/p' "$work/whole/atlas.json")
[ -n "$core" ] || { echo "no OpenBLAS core in $work/whole/atlas.json" >&2; exit 1; }

# The sharded atlas through the scheduler (three tasks, ids 1-3), then the merge job.
export FVBOOK=$fvbook ATLAS_LAYERS=$layer ATLAS_OUT=$work/sharded ATLAS_SITE=$work/site-sharded ATLAS_ARGS=$args ATLAS_WAIT=1
export OPENBLAS_CORETYPE=$core
start=$(date +%s)
( cd "$work" && mkdir -p logs && cd logs && ln -s "$root/data" data && "$root/deploy/slurm/atlas.sbatch" --array=1-3 --cpus-per-task=1 ) || {
    echo "the Slurm atlas failed; job logs:" >&2; tail -n 20 "$work"/logs/*.log >&2; exit 1; }
echo "slurm: array job and merge job done in $(( $(date +%s) - start )) s"
grep -h "^atlas shard\|^shard .* on " "$work"/logs/fvbook-atlas-*_*.log

for shard in 1 2 3; do
    grep -q "shard $((shard - 1))/3: 8 channels rendered" "$work"/logs/fvbook-atlas-*_"$shard".log \
        || { echo "array task $shard did not render its own 8 channels" >&2; exit 1; }
done
diff -r "$work/whole" "$work/sharded" || { echo "sharded atlas differs from the unsharded one" >&2; exit 1; }
diff -r "$work/site-whole" "$work/site-sharded" || { echo "sharded atlas pages differ" >&2; exit 1; }
count=$(find "$work/sharded/$layer" -name metrics.json | wc -l)
[ "$count" = 24 ] || { echo "expected 24 channels, found $count" >&2; exit 1; }
echo "slurm atlas: $count channels of $layer over 3 array tasks, byte-identical to the unsharded run"
