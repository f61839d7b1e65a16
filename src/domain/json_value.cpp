// JsonValue's out-of-line half: everything that needs the complete nlohmann::json.
#include <atomic>
#include <mutex>

#include <nlohmann/json.hpp>

#include <interviewkit/domain/json_value.hpp>

namespace interviewkit {

namespace {
// What a JsonValue without a held value (default-constructed or moved-from) reads as.
// A function-local static: safe to reach from other files' static initialisers too.
const nlohmann::json& null_json() {
  static const nlohmann::json null;
  return null;
}
}  // namespace

// A deferred value's shared state: made once, then only read. A mutex and a flag rather than
// std::call_once: a source that throws (bad_alloc) must leave the value to be made on the
// next read, and call_once's exceptional path is unreliable (ThreadSanitizer's pthread_once
// never releases the flag). The value lives on the heap of its own, so a detaching sole
// owner takes it over without moving it: references into it stay valid.
struct JsonValue::Deferred {
  std::shared_ptr<const Source> source;
  std::mutex mutex;
  std::atomic<bool> made{false};
  std::unique_ptr<nlohmann::json> value;

  const nlohmann::json& get() {
    if (!made.load(std::memory_order_acquire)) {
      std::lock_guard lock(mutex);
      if (!made.load(std::memory_order_relaxed)) {
        value = std::make_unique<nlohmann::json>(source->make());
        made.store(true, std::memory_order_release);
      }
    }
    return *value;
  }
};

JsonValue::JsonValue() noexcept = default;
JsonValue::JsonValue(JsonValue&& other) noexcept = default;
JsonValue& JsonValue::operator=(JsonValue&& other) noexcept = default;
JsonValue::~JsonValue() = default;

JsonValue::JsonValue(const JsonValue& other)
    : value_(other.value_ ? std::make_unique<nlohmann::json>(*other.value_) : nullptr),
      deferred_(other.deferred_) {}

JsonValue& JsonValue::operator=(const JsonValue& other) {
  if (this != &other) {
    value_ = other.value_ ? std::make_unique<nlohmann::json>(*other.value_) : nullptr;
    deferred_ = other.deferred_;
  }
  return *this;
}

JsonValue::JsonValue(nlohmann::json value)
    : value_(std::make_unique<nlohmann::json>(std::move(value))) {}

JsonValue JsonValue::object() {
  return JsonValue(nlohmann::json::object());
}

JsonValue JsonValue::deferred(std::shared_ptr<const Source> source) {
  JsonValue v;
  v.deferred_ = std::make_shared<Deferred>();
  v.deferred_->source = std::move(source);
  return v;
}

const JsonValue::Source* JsonValue::source() const noexcept {
  return deferred_ ? deferred_->source.get() : nullptr;
}

// A mutable reference detaches a deferred value first: the change must not reach the copies.
// The sole owner takes the made value over, so references it handed out stay valid (use_count
// is exact here: another owner could only appear by copying this object, a data race).
nlohmann::json& JsonValue::json() {
  if (deferred_) {
    const auto& made = deferred_->get();
    value_ = deferred_.use_count() == 1 ? std::move(deferred_->value)
                                        : std::make_unique<nlohmann::json>(made);
    deferred_.reset();
  }
  if (!value_)
    value_ = std::make_unique<nlohmann::json>();
  return *value_;
}

// A deferred value's source may throw (bad_alloc); the value is then computed again on
// the next read.
const nlohmann::json& JsonValue::json() const {
  if (deferred_)
    return deferred_->get();
  return value_ ? *value_ : null_json();
}

bool JsonValue::is_null() const {
  return json().is_null();
}
bool JsonValue::is_object() const {
  return json().is_object();
}
bool JsonValue::is_discarded() const {
  return json().is_discarded();
}
bool JsonValue::empty() const {
  return json().empty();
}

bool operator==(const JsonValue& a, const JsonValue& b) {
  return a.json() == b.json();
}
bool operator==(const JsonValue& a, const nlohmann::json& b) {
  return a.json() == b;
}

void to_json(nlohmann::json& j, const JsonValue& value) {
  j = value.json();
}
void from_json(const nlohmann::json& j, JsonValue& value) {
  value = JsonValue(j);
}

}  // namespace interviewkit
