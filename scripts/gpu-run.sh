#!/usr/bin/env bash
# The WebGPU run for a machine with a real GPU (issue 14, item 5), in one go and a few minutes:
#   1. the adapter Dawn gives the `webgpu` backend (scripts/gpu-adapter.mjs): vendor, architecture, driver,
#      limits; the run stops here, with exit 3, when there is no adapter, and with exit 4 when the only one is a
#      software adapter (SwiftShader, lavapipe) unless --allow-software is given;
#   2. poolspec verify --backend webgpu (fixed seed, --runs cases per property);
#   3. the WebGPU bench: webgpu against tfjs-webgpu and onnxruntime-web-webgpu (the latter dropped, with its
#      reason recorded, when it cannot load in Node), op alone and whole call; the bench records the device's
#      copy bandwidth (copyBufferToBuffer) beside the rows, so each row's % of copy is against the GPU's own;
#   4. poolspec report over both, side-by-side section included.
# Everything goes to OUT (default reports/results/gpu): adapter.json, verify.json/.txt, bench.json/.txt,
# bench-peers.txt (which peers ran, and why one did not), gpu.md, gpu.html, gpu-charts/, and run.txt (commands,
# exit codes, times).
#
# Usage: scripts/gpu-run.sh [--out DIR] [--allow-software] [--quick] [--runs N] [--time MS]
#   --quick: the bench's quick subset and --runs 20: to check the script end to end on a software adapter.
set -uo pipefail
cd "$(dirname "$0")/.."

OUT=reports/results/gpu
ALLOW=""
QUICK=""
RUNS=100
TIME=300
SEED=20261123
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    --allow-software) ALLOW="--allow-software"; shift ;;
    --quick) QUICK=1; RUNS=20; TIME=150; shift ;;
    --runs) RUNS="$2"; shift 2 ;;
    --time) TIME="$2"; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "gpu-run: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

[ -f dist/cli/poolspec.js ] || npm run build >&2 || { echo "gpu-run: npm run build failed" >&2; exit 2; }
mkdir -p "$OUT"
LOG="$OUT/run.txt"
: > "$LOG"
note() { echo "$*" | tee -a "$LOG" >&2; }
note "gpu-run: $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo none), out $OUT"

# 1. The adapter. Without one, stop: nothing below would measure a GPU.
node scripts/gpu-adapter.mjs $ALLOW > "$OUT/adapter.json"
rc=$?
if [ $rc -ne 0 ]; then
  note "gpu-run: FAILED: no usable GPU adapter (scripts/gpu-adapter.mjs exit $rc; 3 = no adapter, 4 = software only)."
  rm -f "$OUT/adapter.json"
  exit $rc
fi
note "gpu-run: adapter $(node -e 'const a=require(process.argv[1]); console.log(a.described)' "$(realpath "$OUT/adapter.json")")"

# 2. Conformance on this adapter.
start=$(date +%s)
timeout 600 node dist/cli/poolspec.js verify --backend webgpu --runs "$RUNS" --seed "$SEED" --json "$OUT/verify.json" > "$OUT/verify.txt" 2>&1
vrc=$?
note "gpu-run: verify --backend webgpu --runs $RUNS --seed $SEED: exit $vrc ($(( $(date +%s) - start )) s)"

# 3. The bench: webgpu, webgpu-values (max without indices, like the peers) and both WebGPU peers where they load.
FILTER='!sweep-*'
[ -n "$QUICK" ] && FILTER='resnet50-stem-max,resnet-global-avg,resnet50-gap-b1,vgg16-pool4-max-b1,!*-b8'
BACKENDS=webgpu,webgpu-values,tfjs-webgpu
: > "$OUT/bench-peers.txt"
for peer in onnxruntime-web-webgpu; do
  # A bench with a backend that cannot load exits 2 before timing anything: probe each peer alone on one small workload.
  if probe=$(timeout 300 node dist/cli/poolspec.js bench --backends "$peer" --filter mobilenetv2-gap-b1 --scopes op --time 1 --min-samples 1 2>&1); then
    BACKENDS="$BACKENDS,$peer"
    echo "$peer: included" >> "$OUT/bench-peers.txt"
  else
    echo "$peer: left out: $(echo "$probe" | grep -m1 -i 'unavailable\|error' || echo "$probe" | tail -1)" >> "$OUT/bench-peers.txt"
  fi
done
echo "tfjs-webgpu: included" >> "$OUT/bench-peers.txt"
start=$(date +%s)
timeout 900 node dist/cli/poolspec.js bench --backends "$BACKENDS" --filter "$FILTER" --scopes op,call --time "$TIME" \
  --out "$OUT/bench.json" > "$OUT/bench.txt" 2> "$OUT/bench-progress.txt"
brc=$?
note "gpu-run: bench --backends $BACKENDS --filter '$FILTER' --time $TIME: exit $brc ($(( $(date +%s) - start )) s)"

# 4. The report: tables, charts, the side-by-side section, conformance.
rrc=1
if [ -f "$OUT/bench.json" ]; then
  args=(--bench "$OUT/bench.json" --ecosystem-file none --out "$OUT" --name gpu --title "poolspec on a WebGPU adapter")
  [ -f "$OUT/verify.json" ] && args+=(--verify "$OUT/verify.json")
  node dist/cli/poolspec.js report "${args[@]}" >> "$LOG" 2>&1
  rrc=$?
fi
note "gpu-run: report: exit $rrc ($OUT/gpu.md, $OUT/gpu.html)"

if [ $vrc -ne 0 ] || [ $brc -ne 0 ] || [ $rrc -ne 0 ]; then
  note "gpu-run: FAILED (verify $vrc, bench $brc, report $rrc)"
  exit 1
fi
note "gpu-run: done"
