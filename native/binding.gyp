# node-gyp build of the libtorch addon. Paths come from native/build.sh through variables:
#   torch_include / torch_lib : Debian's libtorch-dev by default, or $LIBTORCH/include, $LIBTORCH/lib
#   cxx11_abi                 : _GLIBCXX_USE_CXX11_ABI of that libtorch (Debian: 1; PyTorch wheels <2.x: 0)
#   torch_cuda_libs           : extra libraries of a CUDA libtorch (empty on CPU)
{
  "variables": {
    "torch_include%": "/usr/include",
    "torch_lib%": "/usr/lib/x86_64-linux-gnu",
    "cxx11_abi%": "1",
    "torch_cuda_libs%": "",
  },
  "targets": [
    {
      "target_name": "spinesurv_torch",
      "sources": [
        "src/addon.cc",
        "src/args.cc",
        "src/tensor_handle.cc",
        "src/creation.cc",
        "src/ops_math.cc",
        "src/ops_shape.cc",
        "src/ops_nn.cc",
        "src/autograd.cc",
        "src/optim.cc",
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<(torch_include)",
        "<(torch_include)/torch/csrc/api/include",
      ],
      # node's common.gypi sets _GLIBCXX_USE_CXX11_ABI=1; replace it with the library's own setting.
      "defines!": ["_GLIBCXX_USE_CXX11_ABI=1"],
      "defines": [
        "NAPI_CPP_EXCEPTIONS",
        "NAPI_VERSION=8",
        "_GLIBCXX_USE_CXX11_ABI=<(cxx11_abi)",
      ],
      "cflags!": ["-fno-exceptions", "-fno-rtti", "-O3"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17", "-O3"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-frtti", "-O2", "-Wno-unused-parameter", "-Wno-deprecated-declarations"],
      "ldflags": [
        "-L<(torch_lib)",
        "-Wl,-rpath,<(torch_lib)",
        "-Wl,--no-as-needed",
      ],
      "libraries": ["-L<(torch_lib)", "<@(torch_cuda_libs)", "-ltorch", "-ltorch_cpu", "-lc10"],
    }
  ]
}
