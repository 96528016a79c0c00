#!/bin/bash
# ONE prepared call on the lent GPU machine (H100/H200; Node + Dawn on NVIDIA's Vulkan driver):
# the real-size CXR-LLaVA vision encoder (ViT-L/16, 1 channel, 512 px, 24 layers + projector,
# random weights) under PyTorch CUDA fp32/bf16 and ORT-web WebGPU (the native WebGPU EP in its JSPI
# build, the app's in Chromium, beside its asyncify build; graph optimisation all/basic, fp16 where shader-f16 can be had, the WebGPU session options; the
# payload's Node 26 has JSPI), Dawn's adapter features and
# the flags that give shader-f16, and the tiny-model pipeline bench. Prints a short table LAST
# and writes details to $OUT.
#
# HOW TO RUN
#   Here, once per change (from the project root):
#     bash ../shared/device/prepare.sh                 # .device/node.xz, .device/gl/*.deb, .device/enter.sh
#     node src/bench/device/bundle.mjs --set-aside     # .device/vision-bench/: payload.tar.xz (the bench,
#                                                      # ORT's WebGPU builds, dawn.node, a stripped Node 26
#                                                      # from the npm registry) [+ cxr-sample.jpg]; ~3 min;
#                                                      # fails if the call would exceed the 64 MiB budget.
#                                                      # --set-aside deletes tracked files the run never
#                                                      # reads (the repo alone is 42 MiB); restore them
#                                                      # right after the call with the git checkout it prints
#     bash src/bench/device/run-device-bench.sh --dry-run   # the same steps here: wasm, 2-layer model
#   Then ONE device-tool call (machine start ~1-2 min + this script's own deadline of 450 s):
#     run(command = "bash src/bench/device/run-device-bench.sh",
#         carry   = [".device/gl", ".device/enter.sh", ".device/vision-bench"],
#         timeout_s = 540)
#   and give_back afterwards unless you rerun at once. Files back in $OUT (8 at most):
#     summary.txt  the table printed last        log.txt       everything printed
#     probe.json   Dawn adapters x flags         pipeline.json tiny-model pipeline (WebGPU)
#     vision-native.json  torch cuda fp32+bf16 and the native WebGPU EP fp32 opt=all, JSPI (the app's
#                         in Chromium) and asyncify builds (+ a second session each)
#     vision-fp16.json    native JSPI + asyncify fp16 (with shader-f16)
#     vision-extra.json   {"basic": JSPI fp32 opt=basic, "options": asyncify fp32 with WebGPU session
#                         options: outputs kept on the GPU (preferredOutputLocation 'gpu-buffer') and
#                         graph capture (enableGraphCapture)} (one file: 8 files come back at most)
#   pipeline.json also has drop -> first token (first image after load vs later ones, with parts).
#   freeDimensionOverrides is not a step: the vision graph has static shapes (1x1x512x512), so
#   it changes nothing there; the decoder's free dims vary per call.
#   The model (1.2 GB fp32 + 0.6 GB fp16) is generated ON the device by its PyTorch
#   (models/bench/make_vision_large.py, the converter's own export), never carried.
#   Steps run in priority order under one deadline; a step that cannot finish in the time left
#   is skipped and says so.
set -u
DRY=0
[ "${1:-}" = "--dry-run" ] && DRY=1
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$ROOT"
DEADLINE=${BENCH_DEADLINE_S:-450}
OUT=${OUT:-$ROOT/bench-results/device-dry-run}
mkdir -p "$OUT"
exec > >(tee "$OUT/log.txt") 2>&1
left() { echo $((DEADLINE - SECONDS)); }
# step NAME MIN_SECONDS_LEFT COMMAND...: runs COMMAND under `timeout` (time left - 10 s).
step() {
  local name=$1 need=$2
  shift 2
  local l
  l=$(left)
  if [ "$l" -lt "$need" ]; then
    echo "## SKIPPED $name: ${l}s left, needs ${need}s"
    return 1
  fi
  echo "## $name (t=${SECONDS}s, ${l}s left)"
  timeout --kill-after=5 $((l - 10)) "$@"
  local rc=$?
  [ $rc -ne 0 ] && echo "## $name exited $rc"
  return $rc
}

if [ $DRY = 1 ]; then
  echo "DRY RUN on $(hostname): checks the bundle and every step, not GPU numbers. PyTorch CPU + ORT wasm on a"
  echo "2-layer model (1 run); the WebGPU steps on a width-64, 64 px SMOKE model (software adapter here)."
  DEADLINE=${BENCH_DEADLINE_S:-900}
  node src/bench/device/bundle.mjs --with-wasm --no-pack --out /tmp/vision-bench-dry >/dev/null || exit 1
  B=/tmp/vision-bench-dry/stage
  IMAGE=public/samples/cxr-sample.jpg
  if [ -f .device/vision-bench/payload.tar.xz ]; then
    tar -tJf .device/vision-bench/payload.tar.xz | grep -q '^./bench.mjs$' && echo "payload.tar.xz lists bench.mjs" || echo "WARNING: payload.tar.xz has no bench.mjs"
  else
    echo "note: no .device/vision-bench/payload.tar.xz yet (node src/bench/device/bundle.mjs)"
  fi
  PY=${PYTHON:-python3}
  $PY -c 'import torch' 2>/dev/null || PY=/usr/bin/python3
  MODEL=models/work/bench/vit-l16-512-L2
  MAKE_ARGS="--layers 2"
  GPU_MODEL=models/work/bench/vit-l16-64-W64-L2
  GPU_MAKE_ARGS="--layers 2 --width 64 --image-size 64"
  MAIN_EP=wasm
  PIPE_EP=wasm
  RUNS="--runs 1 --warmup 0"
  TORCH="--torch cpu"
else
  [ -f .device/enter.sh ] || { echo "no .device/enter.sh: carry .device/gl, .device/enter.sh, .device/vision-bench"; exit 1; }
  B=/tmp/vision-bench
  mkdir -p $B && tar -C $B -xJf .device/vision-bench/payload.tar.xz || { echo "payload.tar.xz missing or broken"; exit 1; }
  # The payload's Node; enter.sh keeps an executable /tmp/nodebin/node (no .device/node.xz needed).
  mkdir -p /tmp/nodebin && cp $B/node /tmp/nodebin/node && chmod +x /tmp/nodebin/node
  source .device/enter.sh
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader
  PY=${PYTHON:-python3}
  MODEL=models/work/bench/vit-l16-512
  MAKE_ARGS=""
  GPU_MODEL=$MODEL
  GPU_MAKE_ARGS=""
  MAIN_EP=webgpu
  PIPE_EP=webgpu
  RUNS="--runs 10 --warmup 2"
  TORCH="--torch cuda"
  IMAGE=.device/vision-bench/cxr-sample.jpg
fi
export PYTHON=$PY
[ -f "$IMAGE" ] || IMAGE=e2e/fixtures/imaging/gray.jpg
# The payload's own (stripped) Node, in the dry run too, so that it is what gets checked.
BENCH="$B/node $B/bench.mjs"
echo "node $($B/node -v); python $($PY -c 'import sys, torch; print(sys.version.split()[0], "torch", torch.__version__, "cuda", torch.cuda.is_available())')"

# 1. The model, by the converter's code, with this machine's PyTorch (fp16 graph too).
step "make model" 60 $PY models/bench/make_vision_large.py --dtype fp16 $MAKE_ARGS --out $MODEL ||
  { echo "no model, nothing to time"; exit 1; }
[ "$GPU_MODEL" != "$MODEL" ] && { step "make smoke model" 30 $PY models/bench/make_vision_large.py --dtype fp16 $GPU_MAKE_ARGS --out $GPU_MODEL || exit 1; }
$PY -c "import json,sys; m=json.load(open('$MODEL/meta.json')); print('model:', m['layers'], 'layers,', m['exporter'], 'exporter, torch', m['torch'], ', files', m['files'])"

# 2. Dawn: adapter identity, features, and which flags (if any) give shader-f16.
step "adapter probe" 20 $BENCH probe --out "$OUT/probe.json" --print-f16-flags --f16-flags-file /tmp/f16-flags.txt
F16=""
if [ -f /tmp/f16-flags.txt ] && [ "$(cat /tmp/f16-flags.txt)" != NONE ]; then
  # The file has no trailing newline: `|| [ -n "$f" ]` keeps its last line (without it the H200
  # run of 2026-12-04 passed no flag and its fp16 step failed).
  while IFS= read -r f || [ -n "$f" ]; do [ -n "$f" ] && F16="$F16 --dawn-flag $f"; done < /tmp/f16-flags.txt
  F16="ok$F16"
fi

# 2b. The model self-check (issue 14 item 2) of the bundled demo model on this GPU (the app's
#     "Verify model": sample radiograph, rows and greedy tokens against selfcheck.json). At the
#     real size, every vision step below also gives the self-check's verdict on its rows
#     (selfCheckRows: each of the 1024 rows' cosine and norm against PyTorch's on the same
#     weights, at the app's fp32 / fp16 thresholds), in the JSON and the summary. The decoder's
#     half stays out of reach here: no WebLLM library runs the 7B (README, WebLLM).
step "self-check (demo model)" 30 $BENCH verify --ep $PIPE_EP --sample public/samples/cxr-sample.jpg

V="$BENCH vision --model $MODEL --ep $MAIN_EP $RUNS"
VG="$BENCH vision --model $GPU_MODEL --ep webgpu $RUNS"
# 3. PyTorch (fp32, bf16) + the app's runtime: ORT's native WebGPU EP, fp32, graph opt 'all', in
#    its JSPI build (the app's in Chromium) and its asyncify build (elsewhere), each with a second
#    session to see whether the cold cost is per process or per session.
step "torch + ORT native JSPI + asyncify fp32 all" 90 $V --build jspi,native --opt all --second-session $TORCH \
  --child-timeout $(( $(left) - 60 )) --out "$OUT/vision-native.json"
# Later steps reuse that PyTorch result (same model) instead of timing it again.
TJ="--torch none"
[ -f "$OUT/vision-native.json" ] && [ "$GPU_MODEL" = "$MODEL" ] && TJ="--torch-json $OUT/vision-native.json"

# 4. The tiny-model pipeline (decode, preprocess, encode, prefill, TTFT, per-token) on WebGPU.
step "pipeline (tiny model)" 40 $BENCH pipeline --ep $PIPE_EP --image "$IMAGE" --runs 5 --warmup 1 --out "$OUT/pipeline.json"

# 5. fp16: with shader-f16 by default, or with the flag the probe found (labelled in the results).
if [ -n "$F16" ] || [ $DRY = 1 ]; then
  step "ORT native JSPI + asyncify fp16 all" 80 $VG --build jspi,native --dtype fp16 --opt all ${F16#ok} $TJ --child-timeout $(( $(left) - 15 )) --out "$OUT/vision-fp16.json"
else
  echo "## SKIPPED fp16: no shader-f16 under any probed Dawn flag (see probe.json)"
fi

# 6. Graph optimisation 'basic' (vs 'all' in step 3).
rm -f /tmp/vision-basic.json /tmp/vision-options.json
step "ORT native JSPI fp32 basic" 50 $VG --build jspi --opt basic $TJ --child-timeout $(( $(left) - 15 )) --out /tmp/vision-basic.json

# 7. ORT-web WebGPU session options (lowest priority): outputs on the GPU, graph capture. On the
#    asyncify build: graph capture aborts on the JSPI build (RuntimeError: unreachable, Node 26 +
#    Dawn on SwiftShader, 2026-12-06), and the app uses neither option.
step "ORT native asyncify fp32 gpu-output / graph-capture" 60 $VG --build native --opt all --webgpu-option gpu-output,graph-capture $TJ \
  --child-timeout $(( $(left) - 15 )) --out /tmp/vision-options.json
$B/node -e 'const fs=require("fs"),r=(f)=>{try{return JSON.parse(fs.readFileSync(f,"utf8"))}catch{return null}};
  fs.writeFileSync(process.argv[1],JSON.stringify({basic:r("/tmp/vision-basic.json"),options:r("/tmp/vision-options.json")},null,2))' "$OUT/vision-extra.json"

echo "## done at t=${SECONDS}s"
$BENCH summary "$OUT/probe.json" "$OUT/pipeline.json" "$OUT/vision-native.json" \
  "$OUT/vision-fp16.json" /tmp/vision-basic.json /tmp/vision-options.json | tee "$OUT/summary.txt"
