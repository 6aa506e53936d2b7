// Entry point of the addon: each op file registers its own functions on the exports object.
#include <napi.h>

namespace spinesurv {
void RegisterTensorHandle(Napi::Env env, Napi::Object exports);
void RegisterCreation(Napi::Env env, Napi::Object exports);
void RegisterMath(Napi::Env env, Napi::Object exports);
void RegisterShape(Napi::Env env, Napi::Object exports);
void RegisterNN(Napi::Env env, Napi::Object exports);
void RegisterAutograd(Napi::Env env, Napi::Object exports);
void RegisterOptim(Napi::Env env, Napi::Object exports);
}  // namespace spinesurv

Napi::Object Init(Napi::Env env, Napi::Object exports) {
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
