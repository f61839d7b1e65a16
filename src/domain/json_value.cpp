// JsonValue's out-of-line half: everything that needs the complete nlohmann::json.
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

JsonValue::JsonValue() noexcept = default;
JsonValue::JsonValue(JsonValue&& other) noexcept = default;
JsonValue& JsonValue::operator=(JsonValue&& other) noexcept = default;
JsonValue::~JsonValue() = default;

JsonValue::JsonValue(const JsonValue& other)
    : value_(other.value_ ? std::make_unique<nlohmann::json>(*other.value_) : nullptr) {}

JsonValue& JsonValue::operator=(const JsonValue& other) {
  if (this != &other)
    value_ = other.value_ ? std::make_unique<nlohmann::json>(*other.value_) : nullptr;
  return *this;
}

JsonValue::JsonValue(nlohmann::json value)
    : value_(std::make_unique<nlohmann::json>(std::move(value))) {}

JsonValue JsonValue::object() {
  return JsonValue(nlohmann::json::object());
}

nlohmann::json& JsonValue::json() {
  if (!value_)
    value_ = std::make_unique<nlohmann::json>();
  return *value_;
}

const nlohmann::json& JsonValue::json() const noexcept {
  return value_ ? *value_ : null_json();
}

bool JsonValue::is_null() const noexcept {
  return json().is_null();
}
bool JsonValue::is_object() const noexcept {
  return json().is_object();
}
bool JsonValue::is_discarded() const noexcept {
  return json().is_discarded();
}
bool JsonValue::empty() const noexcept {
  return json().empty();
}

bool operator==(const JsonValue& a, const JsonValue& b) noexcept {
  return a.json() == b.json();
}
bool operator==(const JsonValue& a, const nlohmann::json& b) noexcept {
  return a.json() == b;
}

void to_json(nlohmann::json& j, const JsonValue& value) {
  j = value.json();
}
void from_json(const nlohmann::json& j, JsonValue& value) {
  value = JsonValue(j);
}

}  // namespace interviewkit
