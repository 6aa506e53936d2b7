// Autograd (requires_grad, backward, grad, grad mode, detach), in-place updates used by parameter
// initialisation and state loading, and the runtime's global settings (seed, threads, devices).
#include <ATen/core/Tensor.h>
#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <ATen/Version.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <c10/core/GradMode.h>
#include <torch/version.h>

#include "errors.h"
#include "tensor_handle.h"

namespace spinesurv {
namespace {

Napi::Value RequiresGrad(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), UnwrapTensor(info[0]).requires_grad());
}

// setRequiresGrad(t, flag): in place, on leaf tensors (as Tensor.requires_grad_ in PyTorch).
Napi::Value SetRequiresGrad(const Napi::CallbackInfo& info) {
  at::Tensor t = UnwrapTensor(info[0]);
  t.requires_grad_(Bool(info[1], "requiresGrad"));
  return info.Env().Undefined();
}

Napi::Value IsLeaf(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), UnwrapTensor(info[0]).is_leaf());
}

// backward(t, gradient|null, retainGraph)
Napi::Value Backward(const Napi::CallbackInfo& info) {
  const at::Tensor& t = UnwrapTensor(info[0]);
  c10::optional<bool> retain;
  if (!IsAbsent(info[2])) retain = Bool(info[2], "retainGraph");
  t.backward(IsAbsent(info[1]) ? at::Tensor() : UnwrapTensor(info[1]), retain, false);
  return info.Env().Undefined();
}

// grad(t): a new handle sharing the gradient's storage, or null when there is none.
Napi::Value Grad(const Napi::CallbackInfo& info) {
  at::Tensor g = UnwrapTensor(info[0]).grad();
  if (!g.defined()) return info.Env().Null();
  return WrapTensor(info.Env(), g);
}

Napi::Value RetainGrad(const Napi::CallbackInfo& info) {
  UnwrapTensor(info[0]).retain_grad();
  return info.Env().Undefined();
}

Napi::Value Detach(const Napi::CallbackInfo& info) {
  return WrapTensor(info.Env(), UnwrapTensor(info[0]).detach());
}

// zeroGrad_(t): drops the gradient (as optimizer.zero_grad(set_to_none=True)).
Napi::Value ZeroGrad(const Napi::CallbackInfo& info) {
  at::Tensor t = UnwrapTensor(info[0]);
  t.mutable_grad().reset();
  return info.Env().Undefined();
}

// setGradEnabled(flag) -> previous flag; the TypeScript noGrad() restores it in a finally block.
Napi::Value SetGradEnabled(const Napi::CallbackInfo& info) {
  bool previous = c10::GradMode::is_enabled();
  c10::GradMode::set_enabled(Bool(info[0], "enabled"));
  return Napi::Boolean::New(info.Env(), previous);
}

Napi::Value IsGradEnabled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), c10::GradMode::is_enabled());
}

// In-place updates outside autograd (parameter initialisation, loading weights, running stats).
Napi::Value Copy(const Napi::CallbackInfo& info) {
  c10::AutoGradMode no_grad(false);
  at::Tensor dst = UnwrapTensor(info[0]);
  dst.copy_(UnwrapTensor(info[1]));
  return info.Env().Undefined();
}

Napi::Value Normal(const Napi::CallbackInfo& info) {
  c10::AutoGradMode no_grad(false);
  at::Tensor t = UnwrapTensor(info[0]);
  t.normal_(FiniteDouble(info[1], "mean"), FiniteDouble(info[2], "std"));
  return info.Env().Undefined();
}

Napi::Value Uniform(const Napi::CallbackInfo& info) {
  c10::AutoGradMode no_grad(false);
  at::Tensor t = UnwrapTensor(info[0]);
  t.uniform_(FiniteDouble(info[1], "from"), FiniteDouble(info[2], "to"));
  return info.Env().Undefined();
}

Napi::Value Fill(const Napi::CallbackInfo& info) {
  c10::AutoGradMode no_grad(false);
  at::Tensor t = UnwrapTensor(info[0]);
  t.fill_(at::Scalar(Double(info[1], "value")));
  return info.Env().Undefined();
}

// addInPlace(t, other, alpha, otherIsNumber): t += alpha * other, outside autograd.
Napi::Value AddInPlace(const Napi::CallbackInfo& info) {
  c10::AutoGradMode no_grad(false);
  at::Tensor t = UnwrapTensor(info[0]);
  // Integral numbers stay integral so that int64 counters (num_batches_tracked) accept them.
  at::Scalar alpha = ScalarValue(info[2], "alpha");
  if (!IsAbsent(info[3]) && Bool(info[3], "otherIsNumber")) {
    t.add_(ScalarValue(info[1], "other"), alpha);
  } else {
    t.add_(UnwrapTensor(info[1]), alpha);
  }
  return info.Env().Undefined();
}

Napi::Value ManualSeed(const Napi::CallbackInfo& info) {
  at::manual_seed(static_cast<uint64_t>(Int(info[0], "seed")));
  return info.Env().Undefined();
}

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  // Bounded so that the cast to int is exact and libtorch is not asked for absurd thread pools.
  at::set_num_threads(static_cast<int>(IntInRange(info[0], "threads", 1, 1024)));
  return info.Env().Undefined();
}

Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::get_num_threads());
}

// setMkldnnEnabled(flag): whether convolutions may use oneDNN. oneDNN picks its kernels and their
// blocking (so the order of its sums) from the CPU's instruction set, cache sizes and thread count;
// with it off, ATen's own convolution (im2col + BLAS, the weight gradient summed over the batch in
// order) gives the same bits wherever it runs (the reproducible compute mode, src/torch/compute-mode.ts).
Napi::Value SetMkldnnEnabled(const Napi::CallbackInfo& info) {
  at::globalContext().setUserEnabledMkldnn(Bool(info[0], "enabled"));
  return info.Env().Undefined();
}


// runtimeInfo(): what `spinesurv engine info` prints.
Napi::Value RuntimeInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto out = Napi::Object::New(env);
  out.Set("version", TORCH_VERSION);
  out.Set("threads", at::get_num_threads());
  out.Set("cudaAvailable", at::hasCUDA());
  out.Set("cudaDeviceCount", at::hasCUDA() ? at::detail::getCUDAHooks().getNumGPUs() : 0);
  out.Set("mkldnn", at::hasMKLDNN());
  out.Set("mkldnnEnabled", at::globalContext().userEnabledMkldnn());
  out.Set("parallelInfo", at::get_parallel_info());
  out.Set("buildConfig", at::show_config());
  return out;
}

}  // namespace

void RegisterAutograd(Napi::Env env, Napi::Object exports) {
  Export<RequiresGrad>(env, exports, "requiresGrad");
  Export<SetRequiresGrad>(env, exports, "setRequiresGrad");
  Export<IsLeaf>(env, exports, "isLeaf");
  Export<Backward>(env, exports, "backward");
  Export<Grad>(env, exports, "grad");
  Export<RetainGrad>(env, exports, "retainGrad");
  Export<Detach>(env, exports, "detach");
  Export<ZeroGrad>(env, exports, "zeroGrad");
  Export<SetGradEnabled>(env, exports, "setGradEnabled");
  Export<IsGradEnabled>(env, exports, "isGradEnabled");
  Export<Copy>(env, exports, "copy_");
  Export<Normal>(env, exports, "normal_");
  Export<Uniform>(env, exports, "uniform_");
  Export<Fill>(env, exports, "fill_");
  Export<AddInPlace>(env, exports, "addInPlace_");
  Export<ManualSeed>(env, exports, "manualSeed");
  Export<SetNumThreads>(env, exports, "setNumThreads");
  Export<GetNumThreads>(env, exports, "getNumThreads");
  Export<SetMkldnnEnabled>(env, exports, "setMkldnnEnabled");
  Export<RuntimeInfo>(env, exports, "runtimeInfo");
}

}  // namespace spinesurv
