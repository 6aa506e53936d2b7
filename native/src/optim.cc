// Optimizers: libtorch's own Adam, AdamW and SGD over the parameter tensors, so that a training step
// costs one call from JavaScript instead of several ops per parameter. The optimizer keeps its own
// references to the parameters and its state (moments, momentum buffers) in C++.
#include <torch/optim/adam.h>
#include <torch/optim/adamw.h>
#include <torch/optim/sgd.h>

#include <limits>
#include <memory>

#include "errors.h"
#include "tensor_handle.h"

namespace spinesurv {
namespace {

const napi_type_tag kOptimizerTag = {0x7370696e65737572ULL, 0x6f7074696d303031ULL};

struct OptimizerBox {
  std::unique_ptr<torch::optim::Optimizer> optimizer;
};

// A hyper-parameter within [lo, hi] (the ranges PyTorch's Python optimizers check), or `fallback`.
double Option(const Napi::Object& options, const char* name, double fallback, double lo = 0,
              double hi = std::numeric_limits<double>::max()) {
  Napi::Value v = options.Get(name);
  return IsAbsent(v) ? fallback : FiniteDoubleInRange(v, name, lo, hi);
}

// The largest beta below 1 (Adam divides by 1 - beta^t).
constexpr double kBetaMax = 1.0 - 1e-16;

bool Flag(const Napi::Object& options, const char* name) {
  Napi::Value v = options.Get(name);
  return !IsAbsent(v) && Bool(v, name);
}

OptimizerBox& Box(const Napi::Value& value) {
  if (!value.IsExternal() || !value.As<Napi::External<OptimizerBox>>().CheckTypeTag(&kOptimizerTag)) {
    ThrowType(value.Env(), "expected an optimizer, got " + Describe(value));
  }
  return *value.As<Napi::External<OptimizerBox>>().Data();
}

torch::optim::Optimizer& Unwrap(const Napi::Value& value) {
  OptimizerBox& box = Box(value);
  if (!box.optimizer) ThrowType(value.Env(), "optimizer was already disposed");
  return *box.optimizer;
}

// optimizerCreate(kind 'adam'|'adamw'|'sgd', params[], options)
Napi::Value Create(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string kind = String(info[0], "kind");
  std::vector<at::Tensor> params = TensorList(info[1]);
  for (const auto& p : params) {
    if (!p.requires_grad()) ThrowType(env, "optimizer: every parameter must require grad");
    if (!p.is_leaf()) ThrowType(env, "optimizer: parameters must be leaf tensors");
  }
  if (!info[2].IsObject()) ThrowType(env, "optimizer: options must be an object");
  Napi::Object o = info[2].As<Napi::Object>();
  // Every option is checked whichever kind reads it, so a bad value is never silently ignored.
  double lr = FiniteDoubleInRange(o.Get("lr"), "lr", 0, std::numeric_limits<double>::max());
  double beta1 = Option(o, "beta1", 0.9, 0, kBetaMax), beta2 = Option(o, "beta2", 0.999, 0, kBetaMax);
  double eps = Option(o, "eps", 1e-8);
  double weight_decay = Option(o, "weightDecay", kind == "adamw" ? 1e-2 : 0);
  double momentum = Option(o, "momentum", 0), dampening = Option(o, "dampening", 0);
  bool amsgrad = Flag(o, "amsgrad"), nesterov = Flag(o, "nesterov");
  auto box = std::make_unique<OptimizerBox>();
  if (kind == "adam") {
    torch::optim::AdamOptions opts(lr);
    opts.betas(std::make_tuple(beta1, beta2)).eps(eps).weight_decay(weight_decay).amsgrad(amsgrad);
    box->optimizer = std::make_unique<torch::optim::Adam>(params, opts);
  } else if (kind == "adamw") {
    torch::optim::AdamWOptions opts(lr);
    opts.betas(std::make_tuple(beta1, beta2)).eps(eps).weight_decay(weight_decay).amsgrad(amsgrad);
    box->optimizer = std::make_unique<torch::optim::AdamW>(params, opts);
  } else if (kind == "sgd") {
    if (nesterov && (momentum <= 0 || dampening != 0)) {
      throw Napi::RangeError::New(env, "optimizer: nesterov needs a momentum above 0 and zero dampening");
    }
    torch::optim::SGDOptions opts(lr);
    opts.momentum(momentum).dampening(dampening).weight_decay(weight_decay).nesterov(nesterov);
    box->optimizer = std::make_unique<torch::optim::SGD>(params, opts);
  } else {
    ThrowType(env, "optimizer: unknown kind '" + kind + "' (adam, adamw, sgd)");
  }
  auto external = Napi::External<OptimizerBox>::New(env, box.release(), [](Napi::Env, OptimizerBox* b) { delete b; });
  external.TypeTag(&kOptimizerTag);
  return external;
}

Napi::Value Step(const Napi::CallbackInfo& info) {
  Unwrap(info[0]).step();
  return info.Env().Undefined();
}

Napi::Value ZeroGrad(const Napi::CallbackInfo& info) {
  Unwrap(info[0]).zero_grad();
  return info.Env().Undefined();
}

Napi::Value GetLr(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), Unwrap(info[0]).param_groups().at(0).options().get_lr());
}

Napi::Value SetLr(const Napi::CallbackInfo& info) {
  double lr = FiniteDoubleInRange(info[1], "lr", 0, std::numeric_limits<double>::max());
  for (auto& group : Unwrap(info[0]).param_groups()) group.options().set_lr(lr);
  return info.Env().Undefined();
}

// optimizerDispose(o): frees the state (moments) now instead of at garbage collection; a second
// dispose does nothing.
Napi::Value Dispose(const Napi::CallbackInfo& info) {
  Box(info[0]).optimizer.reset();
  return info.Env().Undefined();
}

}  // namespace

void RegisterOptim(Napi::Env env, Napi::Object exports) {
  Export<Create>(env, exports, "optimizerCreate");
  Export<Step>(env, exports, "optimizerStep");
  Export<ZeroGrad>(env, exports, "optimizerZeroGrad");
  Export<GetLr>(env, exports, "optimizerGetLr");
  Export<SetLr>(env, exports, "optimizerSetLr");
  Export<Dispose>(env, exports, "optimizerDispose");
}

}  // namespace spinesurv
