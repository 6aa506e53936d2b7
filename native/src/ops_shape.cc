// Views and re-arrangements: reshape/permute/slice, indexing (index_select, gather, scatter, masks),
// concatenation, sorting, dtype and device conversion.
#include <ATen/ATen.h>

#include "errors.h"
#include "tensor_handle.h"

namespace spinesurv {
namespace {

#define OP(Name, Expr)                                     \
  Napi::Value Name(const Napi::CallbackInfo& info) {       \
    const at::Tensor& a = UnwrapTensor(info[0]);           \
    return WrapTensor(info.Env(), Expr);                   \
  }

OP(Reshape, at::reshape(a, IntList(info[1], "shape")))
OP(View, a.view(IntList(info[1], "shape")))
OP(Permute, a.permute(IntList(info[1], "dims")))
OP(Transpose, at::transpose(a, Int(info[1], "dim0"), Int(info[2], "dim1")))
OP(Expand, a.expand(IntList(info[1], "shape")))
OP(Repeat, a.repeat(IntList(info[1], "repeats")))
OP(Flip, at::flip(a, IntList(info[1], "dims")))
OP(Narrow, at::narrow(a, Int(info[1], "dim"), Int(info[2], "start"), Int(info[3], "length")))
OP(IndexSelect, at::index_select(a, Int(info[1], "dim"), UnwrapTensor(info[2])))
OP(Gather, at::gather(a, Int(info[1], "dim"), UnwrapTensor(info[2])))
OP(Scatter, at::scatter(a, Int(info[1], "dim"), UnwrapTensor(info[2]), UnwrapTensor(info[3])))
OP(ScatterAdd, at::scatter_add(a, Int(info[1], "dim"), UnwrapTensor(info[2]), UnwrapTensor(info[3])))
OP(MaskedSelect, at::masked_select(a, UnwrapTensor(info[1])))
OP(MaskedFill, at::masked_fill(a, UnwrapTensor(info[1]), at::Scalar(Double(info[2], "value"))))
OP(Nonzero, at::nonzero(a))
OP(Unsqueeze, at::unsqueeze(a, Int(info[1], "dim")))
OP(Flatten, at::flatten(a, Int(info[1], "startDim"), Int(info[2], "endDim")))
OP(Contiguous, a.contiguous())
OP(Clone, a.clone())
OP(Tril, at::tril(a, Int(info[1], "diagonal")))
OP(Triu, at::triu(a, Int(info[1], "diagonal")))
OP(OneHot, at::one_hot(a, Int(info[1], "numClasses")))
OP(Pad, at::constant_pad_nd(a, IntList(info[1], "pad"), at::Scalar(Double(info[2], "value"))))
#undef OP

// slice(t, dim, start, end, step); end may be null (to the end).
Napi::Value Slice(const Napi::CallbackInfo& info) {
  const at::Tensor& a = UnwrapTensor(info[0]);
  c10::optional<int64_t> start, end;
  if (!IsAbsent(info[2])) start = Int(info[2], "start");
  if (!IsAbsent(info[3])) end = Int(info[3], "end");
  int64_t step = IsAbsent(info[4]) ? 1 : Int(info[4], "step");
  return WrapTensor(info.Env(), at::slice(a, Int(info[1], "dim"), start, end, step));
}

// select(t, dim, index): drops the dimension.
Napi::Value Select(const Napi::CallbackInfo& info) {
  const at::Tensor& a = UnwrapTensor(info[0]);
  return WrapTensor(info.Env(), at::select(a, Int(info[1], "dim"), Int(info[2], "index")));
}

// squeeze(t, dim|null)
Napi::Value Squeeze(const Napi::CallbackInfo& info) {
  const at::Tensor& a = UnwrapTensor(info[0]);
  if (IsAbsent(info[1])) return WrapTensor(info.Env(), at::squeeze(a));
  return WrapTensor(info.Env(), at::squeeze(a, Int(info[1], "dim")));
}

Napi::Value Cat(const Napi::CallbackInfo& info) {
  return WrapTensor(info.Env(), at::cat(TensorList(info[0]), Int(info[1], "dim")));
}

Napi::Value Stack(const Napi::CallbackInfo& info) {
  return WrapTensor(info.Env(), at::stack(TensorList(info[0]), Int(info[1], "dim")));
}

// sort(t, dim, descending, stable) -> [values, indices]
Napi::Value Sort(const Napi::CallbackInfo& info) {
  const at::Tensor& a = UnwrapTensor(info[0]);
  bool stable = !IsAbsent(info[3]) && Bool(info[3], "stable");
  return WrapTensorPair(info.Env(), at::sort(a, stable, Int(info[1], "dim"), Bool(info[2], "descending")));
}

// topk(t, k, dim, largest) -> [values, indices]
Napi::Value Topk(const Napi::CallbackInfo& info) {
  const at::Tensor& a = UnwrapTensor(info[0]);
  return WrapTensorPair(info.Env(), at::topk(a, Int(info[1], "k"), Int(info[2], "dim"), Bool(info[3], "largest")));
}

Napi::Value Split(const Napi::CallbackInfo& info) {
  const at::Tensor& a = UnwrapTensor(info[0]);
  return WrapTensors(info.Env(), at::split_with_sizes(a, IntList(info[1], "sizes"), Int(info[2], "dim")));
}

// to(t, dtype|null, device|null)
Napi::Value To(const Napi::CallbackInfo& info) {
  const at::Tensor& a = UnwrapTensor(info[0]);
  at::ScalarType dtype = IsAbsent(info[1]) ? a.scalar_type() : ParseDType(info.Env(), String(info[1], "dtype"));
  c10::Device device = IsAbsent(info[2]) ? a.device() : ParseDevice(info.Env(), String(info[2], "device"));
  return WrapTensor(info.Env(), a.to(device, dtype));
}

}  // namespace

void RegisterShape(Napi::Env env, Napi::Object exports) {
  Export<Reshape>(env, exports, "reshape");
  Export<View>(env, exports, "view");
  Export<Permute>(env, exports, "permute");
  Export<Transpose>(env, exports, "transpose");
  Export<Expand>(env, exports, "expand");
  Export<Repeat>(env, exports, "repeat");
  Export<Flip>(env, exports, "flip");
  Export<Narrow>(env, exports, "narrow");
  Export<IndexSelect>(env, exports, "indexSelect");
  Export<Gather>(env, exports, "gather");
  Export<Scatter>(env, exports, "scatter");
  Export<ScatterAdd>(env, exports, "scatterAdd");
  Export<MaskedSelect>(env, exports, "maskedSelect");
  Export<MaskedFill>(env, exports, "maskedFill");
  Export<Nonzero>(env, exports, "nonzero");
  Export<Unsqueeze>(env, exports, "unsqueeze");
  Export<Flatten>(env, exports, "flatten");
  Export<Contiguous>(env, exports, "contiguous");
  Export<Clone>(env, exports, "clone");
  Export<Tril>(env, exports, "tril");
  Export<Triu>(env, exports, "triu");
  Export<OneHot>(env, exports, "oneHot");
  Export<Pad>(env, exports, "pad");
  Export<Slice>(env, exports, "slice");
  Export<Select>(env, exports, "select");
  Export<Squeeze>(env, exports, "squeeze");
  Export<Cat>(env, exports, "cat");
  Export<Stack>(env, exports, "stack");
  Export<Sort>(env, exports, "sort");
  Export<Topk>(env, exports, "topk");
  Export<Split>(env, exports, "split");
  Export<To>(env, exports, "to");
}

}  // namespace spinesurv
