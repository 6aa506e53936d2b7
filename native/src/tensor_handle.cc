#include "tensor_handle.h"

#include <atomic>

#include "errors.h"

namespace spinesurv {
namespace {

// Marks our Externals so that an unrelated External can never be read as a tensor.
const napi_type_tag kTensorTag = {0x7370696e65737572ULL, 0x76746f7263683031ULL};

std::atomic<int64_t> live_tensors{0};

struct TensorBox {
  explicit TensorBox(at::Tensor t) : tensor(std::move(t)) { ++live_tensors; }
  ~TensorBox() { Release(); }
  void Release() {
    if (alive) {
      alive = false;
      tensor.reset();
      --live_tensors;
    }
  }
  at::Tensor tensor;
  bool alive = true;
};

TensorBox* BoxOf(const Napi::Value& value) {
  if (!value.IsExternal()) return nullptr;
  auto external = value.As<Napi::External<TensorBox>>();
  if (!external.CheckTypeTag(&kTensorTag)) return nullptr;
  return external.Data();
}

Napi::Value Dispose(const Napi::CallbackInfo& info) {
  TensorBox* box = BoxOf(info[0]);
  if (box == nullptr) ThrowType(info.Env(), "dispose: not a tensor handle");
  box->Release();
  return info.Env().Undefined();
}

Napi::Value IsDisposed(const Napi::CallbackInfo& info) {
  TensorBox* box = BoxOf(info[0]);
  if (box == nullptr) ThrowType(info.Env(), "isDisposed: not a tensor handle");
  return Napi::Boolean::New(info.Env(), !box->alive);
}

Napi::Value LiveTensorCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(live_tensors.load()));
}

}  // namespace

Napi::Value WrapTensor(Napi::Env env, at::Tensor tensor) {
  auto external = Napi::External<TensorBox>::New(
      env, new TensorBox(std::move(tensor)), [](Napi::Env, TensorBox* box) { delete box; });
  external.TypeTag(&kTensorTag);
  return external;
}

bool IsTensorHandle(const Napi::Value& value) { return BoxOf(value) != nullptr; }

const at::Tensor& UnwrapTensor(const Napi::Value& value) {
  TensorBox* box = BoxOf(value);
  if (box == nullptr) ThrowType(value.Env(), "expected a tensor");
  if (!box->alive) ThrowType(value.Env(), "tensor was already disposed");
  return box->tensor;
}

bool IsAbsent(const Napi::Value& value) { return value.IsUndefined() || value.IsNull(); }

c10::optional<at::Tensor> OptionalTensor(const Napi::Value& value) {
  if (IsAbsent(value)) return c10::nullopt;
  return UnwrapTensor(value);
}

std::vector<at::Tensor> TensorList(const Napi::Value& value) {
  if (!value.IsArray()) ThrowType(value.Env(), "expected an array of tensors");
  auto array = value.As<Napi::Array>();
  std::vector<at::Tensor> out;
  out.reserve(array.Length());
  for (uint32_t i = 0; i < array.Length(); ++i) out.push_back(UnwrapTensor(array.Get(i)));
  return out;
}

std::vector<int64_t> IntList(const Napi::Value& value, const char* what) {
  if (value.IsNumber()) return {value.As<Napi::Number>().Int64Value()};
  if (!value.IsArray()) ThrowType(value.Env(), std::string(what) + ": expected an array of integers");
  auto array = value.As<Napi::Array>();
  std::vector<int64_t> out(array.Length());
  for (uint32_t i = 0; i < array.Length(); ++i) out[i] = Int(array.Get(i), what);
  return out;
}

int64_t Int(const Napi::Value& value, const char* what) {
  if (!value.IsNumber()) ThrowType(value.Env(), std::string(what) + ": expected an integer");
  double d = value.As<Napi::Number>().DoubleValue();
  if (d != static_cast<double>(static_cast<int64_t>(d))) {
    ThrowType(value.Env(), std::string(what) + ": expected an integer, got " + std::to_string(d));
  }
  return static_cast<int64_t>(d);
}

double Double(const Napi::Value& value, const char* what) {
  if (!value.IsNumber()) ThrowType(value.Env(), std::string(what) + ": expected a number");
  return value.As<Napi::Number>().DoubleValue();
}

bool Bool(const Napi::Value& value, const char* what) {
  if (!value.IsBoolean()) ThrowType(value.Env(), std::string(what) + ": expected a boolean");
  return value.As<Napi::Boolean>().Value();
}

std::string String(const Napi::Value& value, const char* what) {
  if (!value.IsString()) ThrowType(value.Env(), std::string(what) + ": expected a string");
  return value.As<Napi::String>().Utf8Value();
}

at::ScalarType ParseDType(Napi::Env env, const std::string& name) {
  if (name == "float32") return at::kFloat;
  if (name == "float64") return at::kDouble;
  if (name == "int64") return at::kLong;
  if (name == "int32") return at::kInt;
  if (name == "bool") return at::kBool;
  if (name == "uint8") return at::kByte;
  ThrowType(env, "unknown dtype '" + name + "' (float32, float64, int64, int32, bool, uint8)");
}

std::string DTypeName(at::ScalarType type) {
  switch (type) {
    case at::kFloat: return "float32";
    case at::kDouble: return "float64";
    case at::kLong: return "int64";
    case at::kInt: return "int32";
    case at::kBool: return "bool";
    case at::kByte: return "uint8";
    default: return c10::toString(type);
  }
}

c10::Device ParseDevice(Napi::Env env, const std::string& name) {
  try {
    return c10::Device(name);
  } catch (const std::exception&) {
    ThrowType(env, "unknown device '" + name + "' (cpu, cuda, cuda:N)");
  }
}

std::string DeviceName(const c10::Device& device) { return device.str(); }

void RegisterTensorHandle(Napi::Env env, Napi::Object exports) {
  Export<Dispose>(env, exports, "dispose");
  Export<IsDisposed>(env, exports, "isDisposed");
  Export<LiveTensorCount>(env, exports, "liveTensorCount");
}

}  // namespace spinesurv
