#include "tensor_handle.h"

#include <cmath>
#include <deque>
#include <vector>

#include "errors.h"

namespace spinesurv {
namespace {

// handle = generation * kSlots + slot: exact in a double while generation < 2^29 (it wraps there).
// Process-wide: the addon is meant for one JS thread (libtorch's grad mode is per thread anyway).
constexpr double kSlots = 16777216.0;  // 2^24 slots
constexpr uint32_t kGenerationMask = (1u << 29) - 1;

struct Slot {
  at::Tensor tensor;
  uint32_t generation = 0;
  bool alive = false;
};

// A deque: references to slots stay valid while new slots are appended.
std::deque<Slot> slots;
std::vector<uint32_t> free_slots;
int64_t live_tensors = 0;

// The slot a handle names (and its index), or nullptr when it is not a live handle.
Slot* Find(const Napi::Value& value, size_t* slot_index = nullptr) {
  if (!value.IsNumber()) return nullptr;
  double id = value.As<Napi::Number>().DoubleValue();
  if (!(id >= 0)) return nullptr;
  double generation = std::floor(id / kSlots);
  double index = id - generation * kSlots;
  if (index >= static_cast<double>(slots.size())) return nullptr;
  Slot& slot = slots[static_cast<size_t>(index)];
  if (!slot.alive || static_cast<double>(slot.generation) != generation) return nullptr;
  if (slot_index != nullptr) *slot_index = static_cast<size_t>(index);
  return &slot;
}

void Release(Slot& slot, size_t index) {
  slot.tensor.reset();
  slot.alive = false;
  slot.generation = (slot.generation + 1) & kGenerationMask;
  free_slots.push_back(static_cast<uint32_t>(index));
  --live_tensors;
}

// dispose(handle): frees the tensor now; a stale handle (already disposed) is ignored.
Napi::Value Dispose(const Napi::CallbackInfo& info) {
  size_t index = 0;
  Slot* slot = Find(info[0], &index);
  if (slot != nullptr) Release(*slot, index);
  return info.Env().Undefined();
}

Napi::Value IsDisposed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), Find(info[0]) == nullptr);
}

Napi::Value LiveTensorCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(live_tensors));
}

}  // namespace

Napi::Value WrapTensor(Napi::Env env, at::Tensor tensor) {
  uint32_t index;
  if (!free_slots.empty()) {
    index = free_slots.back();
    free_slots.pop_back();
  } else {
    if (slots.size() >= static_cast<size_t>(kSlots)) throw Napi::Error::New(env, "too many live tensors (16,777,216)");
    index = static_cast<uint32_t>(slots.size());
    slots.emplace_back();
  }
  Slot& slot = slots[index];
  slot.tensor = std::move(tensor);
  slot.alive = true;
  ++live_tensors;
  return Napi::Number::New(env, static_cast<double>(slot.generation) * kSlots + index);
}

bool IsTensorHandle(const Napi::Value& value) { return Find(value) != nullptr; }

const at::Tensor& UnwrapTensor(const Napi::Value& value) {
  Slot* slot = Find(value);
  if (slot == nullptr) {
    if (value.IsNumber()) ThrowType(value.Env(), "tensor was already disposed");
    ThrowType(value.Env(), "expected a tensor");
  }
  return slot->tensor;
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
