// A tensor handle is a JS number naming a slot of a table that owns one at::Tensor each: creating
// one costs no JS object and no weak reference (napi_create_external with a finalizer, or an
// ObjectWrap, cost several microseconds per op). The number carries a generation, so a handle that
// was disposed (and whose slot was reused) is recognised and refused. dispose() releases the tensor
// at once; the TypeScript side frees forgotten tensors through a FinalizationRegistry. The live
// count is kept here, so it reflects the tensors that really hold memory.
#pragma once
#include <napi.h>
#include <ATen/core/Tensor.h>
#include <c10/core/ScalarType.h>
#include <c10/core/Device.h>
#include <c10/util/Optional.h>
#include <cstdint>
#include <string>
#include <vector>

namespace spinesurv {

Napi::Value WrapTensor(Napi::Env env, at::Tensor tensor);
// The tensor inside a handle; throws a TypeError for anything else or a disposed handle.
const at::Tensor& UnwrapTensor(const Napi::Value& value);
bool IsTensorHandle(const Napi::Value& value);
// null/undefined -> an undefined (absent) tensor, as libtorch's optional arguments expect.
c10::optional<at::Tensor> OptionalTensor(const Napi::Value& value);
std::vector<at::Tensor> TensorList(const Napi::Value& value);

// ---- argument conversion shared by all op files ----
std::vector<int64_t> IntList(const Napi::Value& value, const char* what);
int64_t Int(const Napi::Value& value, const char* what);
double Double(const Napi::Value& value, const char* what);
bool Bool(const Napi::Value& value, const char* what);
std::string String(const Napi::Value& value, const char* what);
bool IsAbsent(const Napi::Value& value);
at::ScalarType ParseDType(Napi::Env env, const std::string& name);
std::string DTypeName(at::ScalarType type);
c10::Device ParseDevice(Napi::Env env, const std::string& name);
std::string DeviceName(const c10::Device& device);

void RegisterTensorHandle(Napi::Env env, Napi::Object exports);

}  // namespace spinesurv
