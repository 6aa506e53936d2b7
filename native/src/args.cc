#include "args.h"

#include <cmath>
#include <sstream>

#include "errors.h"

namespace spinesurv {

namespace {

std::string NumberText(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  std::ostringstream out;
  out.precision(17);
  out << d;
  return out.str();
}

[[noreturn]] void ThrowRange(Napi::Env env, const std::string& message) { throw Napi::RangeError::New(env, message); }

}  // namespace

bool IsSafeInteger(double d) { return std::isfinite(d) && std::trunc(d) == d && std::fabs(d) <= kMaxSafeInteger; }

std::string Describe(const Napi::Value& value) {
  switch (value.Type()) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return value.As<Napi::Boolean>().Value() ? "true" : "false";
    case napi_number: return "the number " + NumberText(value.As<Napi::Number>().DoubleValue());
    case napi_string: return "a string";
    case napi_symbol: return "a symbol";
    case napi_function: return "a function";
    case napi_external: return "an external";
    case napi_bigint: return "a bigint";
    default: return value.IsArray() ? "an array" : "an object";
  }
}

bool IsAbsent(const Napi::Value& value) { return value.IsUndefined() || value.IsNull(); }

int64_t Int(const Napi::Value& value, const char* what) {
  if (!value.IsNumber()) ThrowType(value.Env(), std::string(what) + ": expected an integer, got " + Describe(value));
  double d = value.As<Napi::Number>().DoubleValue();
  if (!IsSafeInteger(d)) {
    ThrowRange(value.Env(), std::string(what) + ": expected an integer (at most 2^53 - 1 in size), got " + NumberText(d));
  }
  return static_cast<int64_t>(d);
}

int64_t IntInRange(const Napi::Value& value, const char* what, int64_t lo, int64_t hi) {
  int64_t n = Int(value, what);
  if (n < lo || n > hi) {
    ThrowRange(value.Env(), std::string(what) + ": expected an integer from " + std::to_string(lo) + " to " +
                                std::to_string(hi) + ", got " + std::to_string(n));
  }
  return n;
}

std::vector<int64_t> IntList(const Napi::Value& value, const char* what) {
  if (value.IsNumber()) return {Int(value, what)};
  if (!value.IsArray()) ThrowType(value.Env(), std::string(what) + ": expected an array of integers, got " + Describe(value));
  auto array = value.As<Napi::Array>();
  uint32_t length = array.Length();
  std::vector<int64_t> out(length);
  for (uint32_t i = 0; i < length; ++i) out[i] = Int(array.Get(i), what);
  return out;
}

double Double(const Napi::Value& value, const char* what) {
  if (!value.IsNumber()) ThrowType(value.Env(), std::string(what) + ": expected a number, got " + Describe(value));
  return value.As<Napi::Number>().DoubleValue();
}

double FiniteDouble(const Napi::Value& value, const char* what) {
  double d = Double(value, what);
  if (!std::isfinite(d)) ThrowRange(value.Env(), std::string(what) + ": expected a finite number, got " + NumberText(d));
  return d;
}

double FiniteDoubleInRange(const Napi::Value& value, const char* what, double lo, double hi) {
  double d = FiniteDouble(value, what);
  if (d < lo || d > hi) {
    ThrowRange(value.Env(), std::string(what) + ": expected a number from " + NumberText(lo) + " to " + NumberText(hi) +
                                ", got " + NumberText(d));
  }
  return d;
}

std::vector<double> FiniteDoubleList(const Napi::Value& value, const char* what) {
  if (value.IsNumber()) return {FiniteDouble(value, what)};
  if (!value.IsArray()) ThrowType(value.Env(), std::string(what) + ": expected an array of numbers, got " + Describe(value));
  auto array = value.As<Napi::Array>();
  uint32_t length = array.Length();
  std::vector<double> out(length);
  for (uint32_t i = 0; i < length; ++i) out[i] = FiniteDouble(array.Get(i), what);
  return out;
}

bool Bool(const Napi::Value& value, const char* what) {
  if (!value.IsBoolean()) ThrowType(value.Env(), std::string(what) + ": expected a boolean, got " + Describe(value));
  return value.As<Napi::Boolean>().Value();
}

std::string String(const Napi::Value& value, const char* what) {
  if (!value.IsString()) ThrowType(value.Env(), std::string(what) + ": expected a string, got " + Describe(value));
  return value.As<Napi::String>().Utf8Value();
}

at::Scalar ScalarValue(const Napi::Value& value, const char* what) {
  if (value.IsBoolean()) return at::Scalar(value.As<Napi::Boolean>().Value());
  double d = Double(value, what);
  if (IsSafeInteger(d)) return at::Scalar(static_cast<int64_t>(d));
  return at::Scalar(d);
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

}  // namespace spinesurv
