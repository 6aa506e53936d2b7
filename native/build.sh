#!/usr/bin/env bash
# Builds native/build/Release/spinesurv_torch.node with node-gyp, and returns at once when nothing
# changed (no source newer than the addon, same libtorch). Called by scripts/build.sh.
#
#   LIBTORCH=/path/to/libtorch   build against that libtorch (its include/ and lib/, e.g. a PyTorch
#                                wheel's torch/ folder or the libtorch zip) instead of Debian's
#                                libtorch-dev; a CUDA build there gives the 'cuda' device.
#   TORCH_CXX11_ABI=0|1          override the detected _GLIBCXX_USE_CXX11_ABI of that libtorch.
#   SPINESURV_NATIVE_JOBS=N      parallel compile jobs (default 2).
set -euo pipefail
cd "$(dirname "$0")"

addon=build/Release/spinesurv_torch.node
stamp=build/.libtorch

if [[ -n "${LIBTORCH:-}" ]]; then
  LIBTORCH=$(cd "$LIBTORCH" && pwd)
  torch_include="$LIBTORCH/include"
  torch_lib="$LIBTORCH/lib"
  [[ -f "$torch_include/ATen/ATen.h" ]] || { echo "native: $torch_include/ATen/ATen.h not found (LIBTORCH=$LIBTORCH)" >&2; exit 1; }
else
  torch_include=/usr/include
  torch_lib=/usr/lib/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
  if [[ ! -f "$torch_include/ATen/ATen.h" ]]; then
    echo "native: libtorch headers not found; install Debian's libtorch-dev or set LIBTORCH" >&2
    exit 1
  fi
fi

# Which C++ string ABI the library was built with: the addon must match it, or it will not link.
if [[ -n "${TORCH_CXX11_ABI:-}" ]]; then
  abi=$TORCH_CXX11_ABI
elif [[ $(nm -DC "$torch_lib/libc10.so" 2>/dev/null | grep -c "std::__cxx11::basic_string" || true) -gt 0 ]]; then
  abi=1
else
  abi=0
fi

cuda_libs=""
if [[ -e "$torch_lib/libtorch_cuda.so" ]]; then
  cuda_libs="-ltorch_cuda"
  [[ -e "$torch_lib/libc10_cuda.so" ]] && cuda_libs="$cuda_libs -lc10_cuda"
fi

config="$torch_include|$torch_lib|$abi|$cuda_libs"
if [[ -f "$addon" && -f "$stamp" && "$(cat "$stamp")" == "$config" ]] &&
  [[ -z "$(find src binding.gyp build.sh -newer "$addon" -print -quit)" ]]; then
  exit 0
fi

# node-gyp must not download Node's headers: use those installed next to the running node
# (/usr/include/node for Debian/NodeSource packages; <prefix>/include/node for nvm and tarballs).
nodedir_args=()
node_prefix=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
if [[ -f "$node_prefix/include/node/node_api.h" ]]; then
  nodedir_args=(--nodedir="$node_prefix")
else
  echo "native: no Node headers in $node_prefix/include/node; node-gyp may try to download them" >&2
fi
gyp=(npx --no-install node-gyp "${nodedir_args[@]}")

echo "native: building the libtorch addon ($torch_lib, cxx11 abi $abi${cuda_libs:+, cuda})" >&2
start=$(date +%s)
if [[ ! -f build/Makefile || ! -f "$stamp" || "$(cat "$stamp")" != "$config" || binding.gyp -nt build/Makefile ]]; then
  "${gyp[@]}" configure --silent -- \
    -Dtorch_include="$torch_include" -Dtorch_lib="$torch_lib" -Dcxx11_abi="$abi" -Dtorch_cuda_libs="$cuda_libs" >&2
  rm -f "$addon"
fi
"${gyp[@]}" build --silent -j "${SPINESURV_NATIVE_JOBS:-2}" >&2
echo "$config" >"$stamp"
touch "$addon"
echo "native: built in $(($(date +%s) - start)) s" >&2
