#include "tensor_handle.h"

#include <bitset>
#include <deque>
#include <mutex>
#include <vector>

#include "errors.h"

namespace spinesurv {
namespace {

// handle = generation * 2^30 + table * 2^22 + slot, below 2^53 so that a double holds it exactly.
constexpr int kSlotBits = 22;   // 4,194,304 slots per thread
constexpr int kTableBits = 8;   // 256 threads using the addon at once
constexpr int kGenerationBits = 23;
static_assert(kSlotBits + kTableBits + kGenerationBits == 53, "a handle must fit a double's 53-bit mantissa");
constexpr uint64_t kSlots = uint64_t{1} << kSlotBits;
constexpr uint64_t kTables = uint64_t{1} << kTableBits;
constexpr uint32_t kLastGeneration = (uint32_t{1} << kGenerationBits) - 1;
// Generations start at 2^15, so every handle is at least 2^45 (3.5e13): a small number such as 0, 1
// or 3 passed where a tensor belongs is refused instead of naming the first tensors made, and a
// handle passed by mistake where a size or count belongs fails at once instead of allocating
// gigabytes. That still leaves each slot 8,355,840 reuses before it is retired.
constexpr uint32_t kFirstGeneration = uint32_t{1} << 15;

struct Slot {
  at::Tensor tensor;
  uint32_t generation = kFirstGeneration;
  bool alive = false;
};

// Table numbers in use by live threads. Never destroyed: a worker's table may be finalised during
// process exit, after static destructors have run.
std::mutex& TablesMutex() {
  static auto* mutex = new std::mutex();
  return *mutex;
}
std::bitset<kTables>& TablesInUse() {
  static auto* in_use = new std::bitset<kTables>();
  return *in_use;
}

// One per JavaScript thread (Node-API instance data), so it is only ever touched by that thread.
struct HandleTable {
  uint32_t number = 0;
  // A deque: references to slots stay valid while new slots are appended.
  std::deque<Slot> slots;
  std::vector<uint32_t> free_slots;
  int64_t live = 0;

  ~HandleTable() {
    std::lock_guard<std::mutex> lock(TablesMutex());
    TablesInUse().reset(number);
  }
};

HandleTable& TableOf(Napi::Env env) {
  HandleTable* table = env.GetInstanceData<HandleTable>();
  if (table == nullptr) throw Napi::Error::New(env, "the tensor table of this thread is gone");
  return *table;
}

void CreateTable(Napi::Env env) {
  auto table = std::make_unique<HandleTable>();
  {
    std::lock_guard<std::mutex> lock(TablesMutex());
    auto& in_use = TablesInUse();
    size_t n = 0;
    while (n < kTables && in_use.test(n)) ++n;
    if (n == kTables) throw Napi::Error::New(env, "the libtorch addon is in use by 256 threads already; no more can load it");
    in_use.set(n);
    table->number = static_cast<uint32_t>(n);
  }
  env.SetInstanceData<HandleTable>(table.release());
}

double HandleOf(const HandleTable& table, uint32_t index) {
  uint64_t id = (static_cast<uint64_t>(table.slots[index].generation) << (kSlotBits + kTableBits)) |
                (static_cast<uint64_t>(table.number) << kSlotBits) | index;
  return static_cast<double>(id);
}

enum class Lookup { kLive, kDisposed, kOtherThread, kNotAHandle };

// What a value names in this thread's table; `index` is set for a live handle.
Lookup Find(const HandleTable& table, const Napi::Value& value, uint32_t* index) {
  if (!value.IsNumber()) return Lookup::kNotAHandle;
  double d = value.As<Napi::Number>().DoubleValue();
  if (!IsSafeInteger(d) || d < 0) return Lookup::kNotAHandle;
  uint64_t id = static_cast<uint64_t>(d);
  uint32_t slot = static_cast<uint32_t>(id & (kSlots - 1));
  uint32_t number = static_cast<uint32_t>((id >> kSlotBits) & (kTables - 1));
  uint32_t generation = static_cast<uint32_t>(id >> (kSlotBits + kTableBits));
  if (generation < kFirstGeneration) return Lookup::kNotAHandle;
  if (number != table.number) {
    std::lock_guard<std::mutex> lock(TablesMutex());  // only on this error path
    return TablesInUse().test(number) ? Lookup::kOtherThread : Lookup::kNotAHandle;
  }
  // A slot never handed out, or a generation it has not handed out yet: not a handle this table made.
  if (slot >= table.slots.size()) return Lookup::kNotAHandle;
  const Slot& s = table.slots[slot];
  if (generation < s.generation) return Lookup::kDisposed;
  if (generation > s.generation || !s.alive) return Lookup::kNotAHandle;
  *index = slot;
  return Lookup::kLive;
}

[[noreturn]] void ThrowNotLive(const Napi::Value& value, Lookup lookup) {
  switch (lookup) {
    case Lookup::kDisposed: ThrowType(value.Env(), "tensor was already disposed");
    case Lookup::kOtherThread:
      ThrowType(value.Env(), "tensor belongs to another thread: a worker_thread cannot use another thread's tensors (send its data instead)");
    default: ThrowType(value.Env(), "expected a tensor, got " + Describe(value));
  }
}

uint32_t LiveIndex(HandleTable& table, const Napi::Value& value) {
  uint32_t index = 0;
  Lookup lookup = Find(table, value, &index);
  if (lookup != Lookup::kLive) ThrowNotLive(value, lookup);
  return index;
}

// Frees the slot's tensor. A slot whose generation is used up is retired rather than reused, so an
// old handle can never name a later tensor.
void Release(HandleTable& table, uint32_t index) {
  Slot& slot = table.slots[index];
  slot.tensor.reset();
  slot.alive = false;
  --table.live;
  if (slot.generation < kLastGeneration) {
    ++slot.generation;
    table.free_slots.push_back(index);
  } else {
    slot.generation = kLastGeneration + 1;  // retired: no handle can carry this generation
  }
}

// dispose(handle): frees the tensor now; a handle already disposed is ignored; anything else throws.
Napi::Value Dispose(const Napi::CallbackInfo& info) {
  HandleTable& table = TableOf(info.Env());
  uint32_t index = 0;
  Lookup lookup = Find(table, info[0], &index);
  if (lookup == Lookup::kLive) Release(table, index);
  else if (lookup != Lookup::kDisposed) ThrowNotLive(info[0], lookup);
  return info.Env().Undefined();
}

// isDisposed(handle): true once disposed; throws for a value that is not one of this thread's handles.
Napi::Value IsDisposed(const Napi::CallbackInfo& info) {
  uint32_t index = 0;
  Lookup lookup = Find(TableOf(info.Env()), info[0], &index);
  if (lookup != Lookup::kLive && lookup != Lookup::kDisposed) ThrowNotLive(info[0], lookup);
  return Napi::Boolean::New(info.Env(), lookup == Lookup::kDisposed);
}

// Tensors alive in this thread's table.
Napi::Value LiveTensorCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(TableOf(info.Env()).live));
}

// testAgeFreeSlots(reuses): lets each free slot of this thread be reused only `reuses` more times
// before it is retired, so that tests reach the end of the generation counter without 8 million
// allocations. It changes no live tensor.
Napi::Value TestAgeFreeSlots(const Napi::CallbackInfo& info) {
  HandleTable& table = TableOf(info.Env());
  int64_t reuses = IntInRange(info[0], "reuses", 1, kLastGeneration - kFirstGeneration);
  for (uint32_t index : table.free_slots) {
    table.slots[index].generation = kLastGeneration - static_cast<uint32_t>(reuses - 1);
  }
  return info.Env().Undefined();
}

}  // namespace

Napi::Value WrapTensor(Napi::Env env, at::Tensor tensor) {
  HandleTable& table = TableOf(env);
  uint32_t index;
  if (!table.free_slots.empty()) {
    index = table.free_slots.back();
  } else {
    if (table.slots.size() >= kSlots) throw Napi::RangeError::New(env, "too many tensors in this thread (4,194,304 slots)");
    index = static_cast<uint32_t>(table.slots.size());
    table.slots.emplace_back();
    table.free_slots.push_back(index);
  }
  Napi::Value handle = Napi::Number::New(env, HandleOf(table, index));  // may throw: the slot stays free
  table.free_slots.pop_back();
  Slot& slot = table.slots[index];
  slot.tensor = std::move(tensor);
  slot.alive = true;
  ++table.live;
  return handle;
}

Napi::Value WrapTensors(Napi::Env env, std::vector<at::Tensor> tensors) {
  std::vector<Napi::Value> handles;
  handles.reserve(tensors.size());
  try {
    for (auto& t : tensors) handles.push_back(WrapTensor(env, std::move(t)));
    auto array = Napi::Array::New(env, handles.size());
    for (size_t i = 0; i < handles.size(); ++i) array.Set(static_cast<uint32_t>(i), handles[i]);
    return array;
  } catch (...) {
    HandleTable& table = TableOf(env);
    for (const auto& h : handles) {
      uint32_t index = 0;
      if (Find(table, h, &index) == Lookup::kLive) Release(table, index);
    }
    throw;
  }
}

Napi::Value WrapTensorPair(Napi::Env env, std::tuple<at::Tensor, at::Tensor> pair) {
  return WrapTensors(env, {std::move(std::get<0>(pair)), std::move(std::get<1>(pair))});
}

bool IsTensorHandle(const Napi::Value& value) {
  uint32_t index = 0;
  return Find(TableOf(value.Env()), value, &index) == Lookup::kLive;
}

at::Tensor UnwrapTensor(const Napi::Value& value) {
  HandleTable& table = TableOf(value.Env());
  return table.slots[LiveIndex(table, value)].tensor;
}

c10::optional<at::Tensor> OptionalTensor(const Napi::Value& value) {
  if (IsAbsent(value)) return c10::nullopt;
  return UnwrapTensor(value);
}

std::vector<at::Tensor> TensorList(const Napi::Value& value) {
  if (!value.IsArray()) ThrowType(value.Env(), "expected an array of tensors, got " + Describe(value));
  auto array = value.As<Napi::Array>();
  uint32_t length = array.Length();
  std::vector<at::Tensor> out;
  out.reserve(length);
  for (uint32_t i = 0; i < length; ++i) out.push_back(UnwrapTensor(array.Get(i)));
  return out;
}

void RegisterTensorHandle(Napi::Env env, Napi::Object exports) {
  CreateTable(env);
  Export<Dispose>(env, exports, "dispose");
  Export<IsDisposed>(env, exports, "isDisposed");
  Export<LiveTensorCount>(env, exports, "liveTensorCount");
  Export<TestAgeFreeSlots>(env, exports, "testAgeFreeSlots");
}

}  // namespace spinesurv
