// A tensor handle is a JS External that owns one at::Tensor. dispose() releases the tensor at once;
// the External's finalizer is the last resort when JS forgets (the TypeScript side adds a
// FinalizationRegistry on top). The live count is kept here, on the C++ side, so it reflects the
// tensors that really hold memory.
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
