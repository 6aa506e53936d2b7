// Every entry point of the addon goes through Guarded<>: libtorch reports bad input (shape mismatch,
// wrong dtype, ...) as c10::Error, which must reach JavaScript as an Error carrying libtorch's message
// instead of terminating the process.
#pragma once
#include <napi.h>
#include <c10/util/Exception.h>
#include <exception>
#include <string>

namespace spinesurv {

using NativeFn = Napi::Value (*)(const Napi::CallbackInfo&);

template <NativeFn F>
Napi::Value Guarded(const Napi::CallbackInfo& info) {
  try {
    return F(info);
  } catch (const Napi::Error&) {
    throw;  // already a JS error (thrown by our argument checks)
  } catch (const c10::Error& e) {
    throw Napi::Error::New(info.Env(), e.what_without_backtrace());
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), e.what());
  }
}

// Registers `name` on `exports`, wrapped in the error translation above.
template <NativeFn F>
void Export(Napi::Env env, Napi::Object exports, const char* name) {
  exports.Set(name, Napi::Function::New(env, Guarded<F>, name));
}

[[noreturn]] inline void ThrowType(Napi::Env env, const std::string& message) {
  throw Napi::TypeError::New(env, message);
}

}  // namespace spinesurv
