// Entry point of the addon: each op file registers its own functions on the exports object.
#include <napi.h>

#include <cstdlib>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace spinesurv {
void RegisterTensorHandle(Napi::Env env, Napi::Object exports);
void RegisterCreation(Napi::Env env, Napi::Object exports);
void RegisterMath(Napi::Env env, Napi::Object exports);
void RegisterShape(Napi::Env env, Napi::Object exports);
void RegisterNN(Napi::Env env, Napi::Object exports);
void RegisterAutograd(Napi::Env env, Napi::Object exports);
void RegisterOptim(Napi::Env env, Napi::Object exports);
}  // namespace spinesurv

// libtorch allocates activations of several MB per op. glibc serves blocks above its mmap threshold
// (128 KiB at start) with fresh mmap()s, whose pages fault in and are zeroed on every use; in
// Python the threshold soon rises by itself (glibc raises it when such a block is freed) and
// inference of a ResNet-18 got 2.5x faster after two training steps, but in Node it stayed low
// (measured, 1 thread, batch 16, 128x128: 400 ms vs 180 ms). With the thresholds fixed Node gives
// 175 ms, the same as Python with the same settings. 32 MiB is the largest mmap threshold glibc
// accepts on 64-bit.
// Setting MALLOC_MMAP_THRESHOLD_ / MALLOC_TRIM_THRESHOLD_ (or SPINESURV_KEEP_MALLOC) keeps glibc's own.
void TuneMalloc() {
#if defined(__GLIBC__)
  if (std::getenv("MALLOC_MMAP_THRESHOLD_") != nullptr || std::getenv("MALLOC_TRIM_THRESHOLD_") != nullptr ||
      std::getenv("SPINESURV_KEEP_MALLOC") != nullptr) {
    return;
  }
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  TuneMalloc();
  spinesurv::RegisterTensorHandle(env, exports);
  spinesurv::RegisterCreation(env, exports);
  spinesurv::RegisterMath(env, exports);
  spinesurv::RegisterShape(env, exports);
  spinesurv::RegisterNN(env, exports);
  spinesurv::RegisterAutograd(env, exports);
  spinesurv::RegisterOptim(env, exports);
  return exports;
}

NODE_API_MODULE(spinesurv_torch, Init)
