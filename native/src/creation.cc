// Creating tensors (from typed arrays, constants, ranges, random numbers), reading them back into
// typed arrays, and their metadata (shape, dtype, device).
#include <ATen/ATen.h>

#include <cstring>

#include "errors.h"
#include "tensor_handle.h"

namespace spinesurv {
namespace {

// (shape, dtype, device, requiresGrad) as the trailing arguments of every factory.
at::TensorOptions OptionsAt(const Napi::CallbackInfo& info, size_t first) {
  at::TensorOptions options;
  options = options.dtype(IsAbsent(info[first]) ? at::kFloat : ParseDType(info.Env(), String(info[first], "dtype")));
  if (!IsAbsent(info[first + 1])) options = options.device(ParseDevice(info.Env(), String(info[first + 1], "device")));
  return options;
}

at::Tensor Finish(const Napi::CallbackInfo& info, size_t index, at::Tensor t) {
  if (!IsAbsent(info[index]) && Bool(info[index], "requiresGrad")) t.requires_grad_(true);
  return t;
}

std::string ShapeText(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// fromBuffer(typedArrayOrArrayBuffer, shape, dtype, device, requiresGrad): copies the bytes.
Napi::Value FromBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const uint8_t* data = nullptr;
  size_t bytes = 0;
  if (info[0].IsTypedArray()) {
    auto typed = info[0].As<Napi::TypedArray>();
    data = static_cast<const uint8_t*>(typed.ArrayBuffer().Data()) + typed.ByteOffset();
    bytes = typed.ByteLength();
  } else if (info[0].IsArrayBuffer()) {
    auto buffer = info[0].As<Napi::ArrayBuffer>();
    data = static_cast<const uint8_t*>(buffer.Data());
    bytes = buffer.ByteLength();
  } else {
    ThrowType(env, "tensor: data must be a typed array");
  }
  auto shape = IntList(info[1], "shape");
  auto dtype = ParseDType(env, String(info[2], "dtype"));
  at::Tensor t = at::empty(shape, at::TensorOptions().dtype(dtype));
  size_t need = static_cast<size_t>(t.numel()) * t.element_size();
  if (need != bytes) {
    throw Napi::RangeError::New(env, "tensor: data has " + std::to_string(bytes / std::max<size_t>(t.element_size(), 1)) +
                                         " elements but shape " + ShapeText(shape) + " needs " +
                                         std::to_string(t.numel()));
  }
  if (bytes > 0) std::memcpy(t.data_ptr(), data, bytes);
  if (!IsAbsent(info[3])) {
    auto device = ParseDevice(env, String(info[3], "device"));
    if (!device.is_cpu()) t = t.to(device);
  }
  return WrapTensor(env, Finish(info, 4, t));
}

// toBuffer(t, dtype?): a fresh ArrayBuffer with the (converted, contiguous, CPU) data.
Napi::Value ToBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  at::Tensor t = UnwrapTensor(info[0]).detach();
  at::ScalarType dtype = IsAbsent(info[1]) ? t.scalar_type() : ParseDType(env, String(info[1], "dtype"));
  t = t.to(at::kCPU, dtype).contiguous();
  size_t bytes = static_cast<size_t>(t.numel()) * t.element_size();
  auto buffer = Napi::ArrayBuffer::New(env, bytes);
  if (bytes > 0) std::memcpy(buffer.Data(), t.data_ptr(), bytes);
  return buffer;
}

Napi::Value Item(const Napi::CallbackInfo& info) {
  const at::Tensor& t = UnwrapTensor(info[0]);
  return Napi::Number::New(info.Env(), t.item<double>());
}

Napi::Value Shape(const Napi::CallbackInfo& info) {
  const at::Tensor& t = UnwrapTensor(info[0]);
  auto sizes = t.sizes();
  auto array = Napi::Array::New(info.Env(), sizes.size());
  for (size_t i = 0; i < sizes.size(); ++i) array.Set(static_cast<uint32_t>(i), Napi::Number::New(info.Env(), static_cast<double>(sizes[i])));
  return array;
}

Napi::Value DType(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), DTypeName(UnwrapTensor(info[0]).scalar_type()));
}

Napi::Value Device(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), DeviceName(UnwrapTensor(info[0]).device()));
}

Napi::Value Zeros(const Napi::CallbackInfo& info) {
  return WrapTensor(info.Env(), Finish(info, 3, at::zeros(IntList(info[0], "shape"), OptionsAt(info, 1))));
}

Napi::Value Ones(const Napi::CallbackInfo& info) {
  return WrapTensor(info.Env(), Finish(info, 3, at::ones(IntList(info[0], "shape"), OptionsAt(info, 1))));
}

// full(shape, value, dtype, device, requiresGrad)
Napi::Value Full(const Napi::CallbackInfo& info) {
  at::Scalar value = info[1].IsBoolean() ? at::Scalar(Bool(info[1], "value")) : at::Scalar(Double(info[1], "value"));
  return WrapTensor(info.Env(), Finish(info, 4, at::full(IntList(info[0], "shape"), value, OptionsAt(info, 2))));
}

// arange(start, end, step, dtype, device, requiresGrad)
Napi::Value Arange(const Napi::CallbackInfo& info) {
  auto options = OptionsAt(info, 3);
  if (IsAbsent(info[3])) options = options.dtype(at::kLong);
  return WrapTensor(info.Env(), Finish(info, 5, at::arange(FiniteDouble(info[0], "start"), FiniteDouble(info[1], "end"),
                                                           FiniteDouble(info[2], "step"), options)));
}

// linspace(start, end, steps, dtype, device, requiresGrad)
Napi::Value Linspace(const Napi::CallbackInfo& info) {
  return WrapTensor(info.Env(), Finish(info, 5, at::linspace(FiniteDouble(info[0], "start"), FiniteDouble(info[1], "end"),
                                                             Int(info[2], "steps"), OptionsAt(info, 3))));
}

Napi::Value Randn(const Napi::CallbackInfo& info) {
  return WrapTensor(info.Env(), Finish(info, 3, at::randn(IntList(info[0], "shape"), OptionsAt(info, 1))));
}

Napi::Value Rand(const Napi::CallbackInfo& info) {
  return WrapTensor(info.Env(), Finish(info, 3, at::rand(IntList(info[0], "shape"), OptionsAt(info, 1))));
}

// randint(low, high, shape, dtype, device)
Napi::Value Randint(const Napi::CallbackInfo& info) {
  auto options = OptionsAt(info, 3);
  if (IsAbsent(info[3])) options = options.dtype(at::kLong);
  return WrapTensor(info.Env(), at::randint(Int(info[0], "low"), Int(info[1], "high"), IntList(info[2], "shape"), options));
}

Napi::Value Randperm(const Napi::CallbackInfo& info) {
  auto options = OptionsAt(info, 1);
  if (IsAbsent(info[1])) options = options.dtype(at::kLong);
  return WrapTensor(info.Env(), at::randperm(Int(info[0], "n"), options));
}

Napi::Value Eye(const Napi::CallbackInfo& info) {
  return WrapTensor(info.Env(), at::eye(Int(info[0], "n"), OptionsAt(info, 1)));
}

}  // namespace

void RegisterCreation(Napi::Env env, Napi::Object exports) {
  Export<FromBuffer>(env, exports, "fromBuffer");
  Export<ToBuffer>(env, exports, "toBuffer");
  Export<Item>(env, exports, "item");
  Export<Shape>(env, exports, "shape");
  Export<DType>(env, exports, "dtype");
  Export<Device>(env, exports, "device");
  Export<Zeros>(env, exports, "zeros");
  Export<Ones>(env, exports, "ones");
  Export<Full>(env, exports, "full");
  Export<Arange>(env, exports, "arange");
  Export<Linspace>(env, exports, "linspace");
  Export<Randn>(env, exports, "randn");
  Export<Rand>(env, exports, "rand");
  Export<Randint>(env, exports, "randint");
  Export<Randperm>(env, exports, "randperm");
  Export<Eye>(env, exports, "eye");
}

}  // namespace spinesurv
