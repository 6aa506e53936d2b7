// Checked conversions of JavaScript arguments, shared by every op file. Each one validates the value
// before converting it, so that no NaN, Infinity, fraction or out-of-range number ever reaches a C++
// cast (casting a NaN or an out-of-range double to an integer is undefined behaviour) or libtorch.
// On bad input they throw a JS TypeError or RangeError naming the argument (`what`).
#pragma once
#include <napi.h>
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>
#include <c10/core/Scalar.h>
#include <c10/core/ScalarType.h>

#include <cstdint>
#include <string>
#include <vector>

namespace spinesurv {

// Integers that a double holds exactly: |n| <= 2^53 - 1 (Number.MAX_SAFE_INTEGER).
constexpr double kMaxSafeInteger = 9007199254740991.0;

// The largest int32: a bound for arguments that libtorch's kernels keep in an int (groups, ...),
// where a larger value would be truncated (a group count of 2^45 became 0 and divided by it).
constexpr int64_t kMaxInt32 = 2147483647;

// True for a finite double with no fractional part within +-kMaxSafeInteger: the only doubles that
// may be cast to int64_t.
bool IsSafeInteger(double d);

bool IsAbsent(const Napi::Value& value);  // undefined or null
// A number that is a safe integer (see above).
int64_t Int(const Napi::Value& value, const char* what);
// A safe integer within [lo, hi].
int64_t IntInRange(const Napi::Value& value, const char* what, int64_t lo, int64_t hi);
// An array of safe integers, or a single one (as a list of one).
std::vector<int64_t> IntList(const Napi::Value& value, const char* what);
// Any number, NaN and +-Infinity included (fill values, clamp bounds, scalar operands).
double Double(const Napi::Value& value, const char* what);
// A finite number (learning rates, probabilities, epsilons, ranges).
double FiniteDouble(const Napi::Value& value, const char* what);
// A finite number within [lo, hi].
double FiniteDoubleInRange(const Napi::Value& value, const char* what, double lo, double hi);
std::vector<double> FiniteDoubleList(const Napi::Value& value, const char* what);
bool Bool(const Napi::Value& value, const char* what);
std::string String(const Napi::Value& value, const char* what);
// A number or boolean operand as a libtorch Scalar: integral numbers stay integral (so int64 tensors
// stay int64, as with Python ints), others (NaN and +-Infinity included) become doubles.
at::Scalar ScalarValue(const Napi::Value& value, const char* what);

at::ScalarType ParseDType(Napi::Env env, const std::string& name);
std::string DTypeName(at::ScalarType type);
c10::Device ParseDevice(Napi::Env env, const std::string& name);
std::string DeviceName(const c10::Device& device);

// How a value is described in messages: "the number NaN", "a string", "an object", ...
std::string Describe(const Napi::Value& value);

}  // namespace spinesurv
