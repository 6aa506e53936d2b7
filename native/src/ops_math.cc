// Element-wise arithmetic with broadcasting (tensor or number operands), comparisons, activations,
// reductions, matmul and cumulative ops.
#include <ATen/ATen.h>

#include "errors.h"
#include "tensor_handle.h"

namespace spinesurv {
namespace {

// Tensor handles are numbers too, so a number operand is marked by a `true` flag argument after it
// (the TypeScript side passes it): op(a, 2.5, true) vs op(a, handle).
bool IsScalarFlag(const Napi::Value& flag) { return flag.IsBoolean() && flag.As<Napi::Boolean>().Value(); }

at::Scalar ScalarArg(const Napi::Value& v) { return ScalarValue(v, "other"); }

// A number operand as a 0-dim tensor (for ops without a Scalar overload); type promotion treats a
// 0-dim tensor like a Python scalar, so float32 stays float32.
at::Tensor AsTensor(const Napi::Value& v, const at::Tensor& like) {
  return at::scalar_tensor(ScalarArg(v), like.options().dtype(v.IsBoolean() ? at::kBool : at::kDouble));
}

std::vector<int64_t> DimsOrAll(const Napi::Value& v) { return IsAbsent(v) ? std::vector<int64_t>{} : IntList(v, "dim"); }

#define BINARY(Name, TensorExpr, ScalarExpr)                              \
  Napi::Value Name(const Napi::CallbackInfo& info) {                      \
    const at::Tensor& a = UnwrapTensor(info[0]);                          \
    if (IsScalarFlag(info[2])) {                                          \
      at::Scalar s = ScalarArg(info[1]);                                  \
      return WrapTensor(info.Env(), ScalarExpr);                          \
    }                                                                     \
    const at::Tensor& b = UnwrapTensor(info[1]);                          \
    return WrapTensor(info.Env(), TensorExpr);                            \
  }

BINARY(Add, at::add(a, b), at::add(a, s))
BINARY(Sub, at::sub(a, b), at::sub(a, s))
BINARY(Mul, at::mul(a, b), at::mul(a, s))
BINARY(Div, at::div(a, b), at::div(a, s))
BINARY(Pow, at::pow(a, b), at::pow(a, s))
BINARY(Remainder, at::remainder(a, b), at::remainder(a, s))
BINARY(Rsub, at::rsub(a, b), at::rsub(a, s))
BINARY(Lt, at::lt(a, b), at::lt(a, s))
BINARY(Le, at::le(a, b), at::le(a, s))
BINARY(Gt, at::gt(a, b), at::gt(a, s))
BINARY(Ge, at::ge(a, b), at::ge(a, s))
BINARY(Eq, at::eq(a, b), at::eq(a, s))
BINARY(Ne, at::ne(a, b), at::ne(a, s))
BINARY(Maximum, at::maximum(a, b), at::maximum(a, AsTensor(info[1], a)))
BINARY(Minimum, at::minimum(a, b), at::minimum(a, AsTensor(info[1], a)))
BINARY(LogicalAnd, at::logical_and(a, b), at::logical_and(a, AsTensor(info[1], a)))
BINARY(LogicalOr, at::logical_or(a, b), at::logical_or(a, AsTensor(info[1], a)))
BINARY(Atan2, at::atan2(a, b), at::atan2(a, AsTensor(info[1], a)))
#undef BINARY

#define UNARY(Name, Expr)                                  \
  Napi::Value Name(const Napi::CallbackInfo& info) {       \
    const at::Tensor& a = UnwrapTensor(info[0]);           \
    return WrapTensor(info.Env(), Expr);                   \
  }

UNARY(Neg, at::neg(a))
UNARY(Exp, at::exp(a))
UNARY(Log, at::log(a))
UNARY(Log1p, at::log1p(a))
UNARY(Expm1, at::expm1(a))
UNARY(Sqrt, at::sqrt(a))
UNARY(Rsqrt, at::rsqrt(a))
UNARY(Abs, at::abs(a))
UNARY(Sign, at::sign(a))
UNARY(Floor, at::floor(a))
UNARY(Ceil, at::ceil(a))
UNARY(Round, at::round(a))
UNARY(Sin, at::sin(a))
UNARY(Cos, at::cos(a))
UNARY(Square, at::square(a))
UNARY(Reciprocal, at::reciprocal(a))
UNARY(Erf, at::erf(a))
UNARY(Sigmoid, at::sigmoid(a))
UNARY(LogSigmoid, at::log_sigmoid(a))
UNARY(Tanh, at::tanh(a))
UNARY(Relu, at::relu(a))
UNARY(Selu, at::selu(a))
UNARY(Silu, at::silu(a))
UNARY(Gelu, at::gelu(a))
UNARY(IsNan, at::isnan(a))
UNARY(IsFinite, at::isfinite(a))
UNARY(LogicalNot, at::logical_not(a))
UNARY(Matmul, at::matmul(a, UnwrapTensor(info[1])))
UNARY(LeakyRelu, at::leaky_relu(a, FiniteDouble(info[1], "negativeSlope")))
UNARY(Elu, at::elu(a, FiniteDouble(info[1], "alpha")))
UNARY(Softplus, at::softplus(a, FiniteDouble(info[1], "beta"), FiniteDouble(info[2], "threshold")))
UNARY(Softmax, at::softmax(a, Int(info[1], "dim")))
UNARY(LogSoftmax, at::log_softmax(a, Int(info[1], "dim")))
UNARY(Cumsum, at::cumsum(a, Int(info[1], "dim")))
UNARY(Cumprod, at::cumprod(a, Int(info[1], "dim")))
UNARY(Logcumsumexp, at::logcumsumexp(a, Int(info[1], "dim")))
#undef UNARY

// In-place versions recorded by autograd (as torchvision's ReLU(inplace=True) and `out += identity`):
// they save one allocation per call in the residual blocks.
Napi::Value ReluInPlace(const Napi::CallbackInfo& info) {
  at::Tensor a = UnwrapTensor(info[0]);
  at::relu_(a);
  return info.Env().Undefined();
}

Napi::Value AddInPlaceTracked(const Napi::CallbackInfo& info) {
  at::Tensor a = UnwrapTensor(info[0]);
  if (IsScalarFlag(info[2])) a.add_(ScalarArg(info[1]));
  else a.add_(UnwrapTensor(info[1]));
  return info.Env().Undefined();
}

Napi::Value MulInPlaceTracked(const Napi::CallbackInfo& info) {
  at::Tensor a = UnwrapTensor(info[0]);
  if (IsScalarFlag(info[2])) a.mul_(ScalarArg(info[1]));
  else a.mul_(UnwrapTensor(info[1]));
  return info.Env().Undefined();
}

// where(cond, a, b, aIsNumber, bIsNumber)
Napi::Value Where(const Napi::CallbackInfo& info) {
  const at::Tensor& cond = UnwrapTensor(info[0]);
  bool sa = IsScalarFlag(info[3]), sb = IsScalarFlag(info[4]);
  at::Tensor out;
  if (sa && sb) out = at::where(cond, ScalarArg(info[1]), ScalarArg(info[2]));
  else if (sa) out = at::where(cond, ScalarArg(info[1]), UnwrapTensor(info[2]));
  else if (sb) out = at::where(cond, UnwrapTensor(info[1]), ScalarArg(info[2]));
  else out = at::where(cond, UnwrapTensor(info[1]), UnwrapTensor(info[2]));
  return WrapTensor(info.Env(), out);
}

// clamp(t, min|null, max|null)
Napi::Value Clamp(const Napi::CallbackInfo& info) {
  const at::Tensor& a = UnwrapTensor(info[0]);
  c10::optional<at::Scalar> lo, hi;
  if (!IsAbsent(info[1])) lo = at::Scalar(Double(info[1], "min"));
  if (!IsAbsent(info[2])) hi = at::Scalar(Double(info[2], "max"));
  return WrapTensor(info.Env(), at::clamp(a, lo, hi));
}

// sum/mean(t, dims|null, keepdim): all elements when dims is null.
Napi::Value Sum(const Napi::CallbackInfo& info) {
  const at::Tensor& a = UnwrapTensor(info[0]);
  if (IsAbsent(info[1])) return WrapTensor(info.Env(), at::sum(a));
  return WrapTensor(info.Env(), at::sum(a, DimsOrAll(info[1]), Bool(info[2], "keepdim")));
}

Napi::Value Mean(const Napi::CallbackInfo& info) {
  const at::Tensor& a = UnwrapTensor(info[0]);
  if (IsAbsent(info[1])) return WrapTensor(info.Env(), at::mean(a));
  return WrapTensor(info.Env(), at::mean(a, DimsOrAll(info[1]), Bool(info[2], "keepdim")));
}

Napi::Value Prod(const Napi::CallbackInfo& info) {
  const at::Tensor& a = UnwrapTensor(info[0]);
  if (IsAbsent(info[1])) return WrapTensor(info.Env(), at::prod(a));
  return WrapTensor(info.Env(), at::prod(a, Int(info[1], "dim"), Bool(info[2], "keepdim")));
}

Napi::Value Logsumexp(const Napi::CallbackInfo& info) {
  const at::Tensor& a = UnwrapTensor(info[0]);
  std::vector<int64_t> dims = DimsOrAll(info[1]);
  if (dims.empty()) {
    for (int64_t d = 0; d < a.dim(); ++d) dims.push_back(d);
  }
  return WrapTensor(info.Env(), at::logsumexp(a, dims, Bool(info[2], "keepdim")));
}

// std/var(t, dims|null, unbiased, keepdim)
Napi::Value Std(const Napi::CallbackInfo& info) {
  const at::Tensor& a = UnwrapTensor(info[0]);
  bool unbiased = Bool(info[2], "unbiased");
  if (IsAbsent(info[1])) return WrapTensor(info.Env(), at::std(a, unbiased));
  return WrapTensor(info.Env(), at::std(a, at::OptionalIntArrayRef(IntList(info[1], "dim")), unbiased, Bool(info[3], "keepdim")));
}

Napi::Value Var(const Napi::CallbackInfo& info) {
  const at::Tensor& a = UnwrapTensor(info[0]);
  bool unbiased = Bool(info[2], "unbiased");
  if (IsAbsent(info[1])) return WrapTensor(info.Env(), at::var(a, unbiased));
  return WrapTensor(info.Env(), at::var(a, at::OptionalIntArrayRef(IntList(info[1], "dim")), unbiased, Bool(info[3], "keepdim")));
}

// max/min(t, dim|null, keepdim): a tensor without dim; [values, indices] with one.
Napi::Value MaxOrMin(const Napi::CallbackInfo& info, bool is_max) {
  const at::Tensor& a = UnwrapTensor(info[0]);
  Napi::Env env = info.Env();
  if (IsAbsent(info[1])) return WrapTensor(env, is_max ? at::max(a) : at::min(a));
  auto result = is_max ? at::max(a, Int(info[1], "dim"), Bool(info[2], "keepdim"))
                       : at::min(a, Int(info[1], "dim"), Bool(info[2], "keepdim"));
  return WrapTensorPair(env, std::move(result));
}
Napi::Value Max(const Napi::CallbackInfo& info) { return MaxOrMin(info, true); }
Napi::Value Min(const Napi::CallbackInfo& info) { return MaxOrMin(info, false); }

Napi::Value Argmax(const Napi::CallbackInfo& info) {
  const at::Tensor& a = UnwrapTensor(info[0]);
  c10::optional<int64_t> dim;
  if (!IsAbsent(info[1])) dim = Int(info[1], "dim");
  return WrapTensor(info.Env(), at::argmax(a, dim, Bool(info[2], "keepdim")));
}

Napi::Value Argmin(const Napi::CallbackInfo& info) {
  const at::Tensor& a = UnwrapTensor(info[0]);
  c10::optional<int64_t> dim;
  if (!IsAbsent(info[1])) dim = Int(info[1], "dim");
  return WrapTensor(info.Env(), at::argmin(a, dim, Bool(info[2], "keepdim")));
}

Napi::Value All(const Napi::CallbackInfo& info) { return WrapTensor(info.Env(), at::all(UnwrapTensor(info[0]))); }
Napi::Value Any(const Napi::CallbackInfo& info) { return WrapTensor(info.Env(), at::any(UnwrapTensor(info[0]))); }

}  // namespace

void RegisterMath(Napi::Env env, Napi::Object exports) {
  Export<Add>(env, exports, "add");
  Export<Sub>(env, exports, "sub");
  Export<Mul>(env, exports, "mul");
  Export<Div>(env, exports, "div");
  Export<Pow>(env, exports, "pow");
  Export<Remainder>(env, exports, "remainder");
  Export<Rsub>(env, exports, "rsub");
  Export<Lt>(env, exports, "lt");
  Export<Le>(env, exports, "le");
  Export<Gt>(env, exports, "gt");
  Export<Ge>(env, exports, "ge");
  Export<Eq>(env, exports, "eq");
  Export<Ne>(env, exports, "ne");
  Export<Maximum>(env, exports, "maximum");
  Export<Minimum>(env, exports, "minimum");
  Export<LogicalAnd>(env, exports, "logicalAnd");
  Export<LogicalOr>(env, exports, "logicalOr");
  Export<Atan2>(env, exports, "atan2");
  Export<Neg>(env, exports, "neg");
  Export<Exp>(env, exports, "exp");
  Export<Log>(env, exports, "log");
  Export<Log1p>(env, exports, "log1p");
  Export<Expm1>(env, exports, "expm1");
  Export<Sqrt>(env, exports, "sqrt");
  Export<Rsqrt>(env, exports, "rsqrt");
  Export<Abs>(env, exports, "abs");
  Export<Sign>(env, exports, "sign");
  Export<Floor>(env, exports, "floor");
  Export<Ceil>(env, exports, "ceil");
  Export<Round>(env, exports, "round");
  Export<Sin>(env, exports, "sin");
  Export<Cos>(env, exports, "cos");
  Export<Square>(env, exports, "square");
  Export<Reciprocal>(env, exports, "reciprocal");
  Export<Erf>(env, exports, "erf");
  Export<Sigmoid>(env, exports, "sigmoid");
  Export<LogSigmoid>(env, exports, "logSigmoid");
  Export<Tanh>(env, exports, "tanh");
  Export<Relu>(env, exports, "relu");
  Export<Selu>(env, exports, "selu");
  Export<Silu>(env, exports, "silu");
  Export<Gelu>(env, exports, "gelu");
  Export<IsNan>(env, exports, "isnan");
  Export<IsFinite>(env, exports, "isfinite");
  Export<LogicalNot>(env, exports, "logicalNot");
  Export<Matmul>(env, exports, "matmul");
  Export<LeakyRelu>(env, exports, "leakyRelu");
  Export<Elu>(env, exports, "elu");
  Export<Softplus>(env, exports, "softplus");
  Export<Softmax>(env, exports, "softmax");
  Export<LogSoftmax>(env, exports, "logSoftmax");
  Export<Cumsum>(env, exports, "cumsum");
  Export<Cumprod>(env, exports, "cumprod");
  Export<Logcumsumexp>(env, exports, "logcumsumexp");
  Export<ReluInPlace>(env, exports, "relu_");
  Export<AddInPlaceTracked>(env, exports, "add_");
  Export<MulInPlaceTracked>(env, exports, "mul_");
  Export<Where>(env, exports, "where");
  Export<Clamp>(env, exports, "clamp");
  Export<Sum>(env, exports, "sum");
  Export<Mean>(env, exports, "mean");
  Export<Prod>(env, exports, "prod");
  Export<Logsumexp>(env, exports, "logsumexp");
  Export<Std>(env, exports, "std");
  Export<Var>(env, exports, "var");
  Export<Max>(env, exports, "max");
  Export<Min>(env, exports, "min");
  Export<Argmax>(env, exports, "argmax");
  Export<Argmin>(env, exports, "argmin");
  Export<All>(env, exports, "all");
  Export<Any>(env, exports, "any");
}

}  // namespace spinesurv
