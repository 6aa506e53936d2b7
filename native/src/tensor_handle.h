// A tensor handle is a JS number naming a slot of a table that owns one at::Tensor each: creating
// one costs no JS object and no weak reference (napi_create_external with a finalizer, or an
// ObjectWrap, cost several microseconds per op). The number carries a generation, so a handle that
// was disposed (and whose slot was reused) is recognised and refused. dispose() releases the tensor
// at once; the TypeScript side frees forgotten tensors through a FinalizationRegistry. The live
// count is kept here, so it reflects the tensors that really hold memory.
//
// Each JavaScript thread (the main thread and every worker_thread) has its own table, so no lock is
// needed and a worker's tensors are freed when it exits. A handle also names its table, so a handle
// passed to another thread is refused instead of naming some other tensor there.
#pragma once
#include <napi.h>
#include <ATen/core/Tensor.h>

#include <tuple>
#include <vector>

#include "args.h"

namespace spinesurv {

// A new handle owning `tensor`.
Napi::Value WrapTensor(Napi::Env env, at::Tensor tensor);
// An array of new handles; when one cannot be made, those made before it are released (no leak).
Napi::Value WrapTensors(Napi::Env env, std::vector<at::Tensor> tensors);
Napi::Value WrapTensorPair(Napi::Env env, std::tuple<at::Tensor, at::Tensor> pair);
// The tensor inside a handle (a new reference: it stays valid even if the handle is disposed while
// the op runs); throws a TypeError for anything else, a disposed handle or another thread's handle.
at::Tensor UnwrapTensor(const Napi::Value& value);
bool IsTensorHandle(const Napi::Value& value);
// null/undefined -> an undefined (absent) tensor, as libtorch's optional arguments expect.
c10::optional<at::Tensor> OptionalTensor(const Napi::Value& value);
std::vector<at::Tensor> TensorList(const Napi::Value& value);

void RegisterTensorHandle(Napi::Env env, Napi::Object exports);

}  // namespace spinesurv
