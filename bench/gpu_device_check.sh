#!/usr/bin/env bash
# GPU device check: build llama-cpp-python with CUDA, then run the GPU tests and the GPU benchmark.
#
# For a machine with an NVIDIA GPU, nvcc, CMake, ninja, scikit-build-core and numpy, and no
# network (the device machines lent to this project). What pip cannot fetch there travels with
# the working tree: the llama-cpp-python sdist (trimmed of llama.cpp's docs and model files to
# fit) and wheels of protosmith's pure dependencies.
#
#   bench/gpu_device_check.sh SDIST.tar.gz WHEELS_DIR OUT_DIR
#
# Writes OUT_DIR/build.log, OUT_DIR/pytest.log and OUT_DIR/gpu_offload.json.
set -uo pipefail
sdist=$1 wheels=$2 out=$3
site=/tmp/protosmith-gpu-site
mkdir -p "$out" "$site"
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
  --target "$site" "$wheels"/*.whl || exit 1
src=$(mktemp -d)
tar xzf "$sdist" -C "$src"
pkg=$(echo "$src"/llama_cpp_python-*)
export PYTHONPATH="$site:$PWD/server:$PWD:$pkg/vendor/llama.cpp/gguf-py"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee "$out/gpu.txt"

# The same portable CPU flags as the Makefile (a native build crashes on AMX CPUs), plus CUDA
# for this GPU's architecture only, to keep the build within a few minutes.
arch=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -1 | tr -d .)
export CMAKE_ARGS="-DGGML_CUDA=on -DCMAKE_CUDA_ARCHITECTURES=${arch:-90} -DGGML_CUDA_NCCL=OFF \
-DLLAVA_BUILD=OFF -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"
export CMAKE_BUILD_PARALLEL_LEVEL=$(nproc)
start=$(date +%s)
python3 -m pip install --no-index --no-deps --no-build-isolation --no-cache-dir \
  --target "$site" "$pkg" >"$out/build.log" 2>&1 || { tail -40 "$out/build.log"; exit 1; }
echo "llama-cpp-python CUDA build: $(($(date +%s) - start)) s" | tee -a "$out/build.log"

python3 -c "import llama_cpp; print('gpu offload:', llama_cpp.llama_supports_gpu_offload())" \
  2>&1 | tee -a "$out/build.log"
python3 -m pytest -p no:cacheprovider -q -rs tests/test_gpu_offload.py 2>&1 | tee "$out/pytest.log"
python3 -m bench.random_gguf /tmp/random-2048x16.gguf --embd 2048 --layers 16
timeout 240 python3 -m bench.gpu_offload --model /tmp/random-2048x16.gguf --prompts 4 \
  --max-tokens 128 --json "$out/gpu_offload.json"
