// JsonValue: a JSON value that a public header can hold as a member with only
// <nlohmann/json_fwd.hpp> included (ActionEntry::details, OutboxMessage::payload).
//
// nlohmann::json itself cannot be a member of a type in a light header: a member needs the
// complete type, and <nlohmann/json.hpp> is about 70,000 preprocessed lines. JsonValue keeps
// the json behind a pointer, and its members are templates that are compiled only where they
// are used, that is where <nlohmann/json.hpp> is included. There it reads like the json it
// holds: `details["error"] = text`, `details.at("attempt").get<int>()`,
// `details = {{"kind", "invite"}}`, `payload.get<Notification>()`; `json()` gives the
// nlohmann::json itself for anything else. It converts to and from nlohmann::json.
//
// A value type: copies are deep (a deferred value's copies share it until modified), moves
// are cheap, a moved-from JsonValue is null. Not thread-safe, like the json it holds.
#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include <nlohmann/json_fwd.hpp>

#include <interviewkit/export.hpp>

namespace interviewkit {

/// A JSON value held behind a pointer, so that a public header needs only
/// <nlohmann/json_fwd.hpp>; where <nlohmann/json.hpp> is included it reads like the
/// nlohmann::json it holds. A value type: copies are deep (a deferred value's copies share it
/// until one is modified), moves are cheap, a moved-from JsonValue is null. Not thread-safe,
/// like the json it holds. Used for ActionEntry::details and OutboxMessage::payload.
class INTERVIEWKIT_EXPORT JsonValue {
 public:
  /// null, like a default nlohmann::json.
  JsonValue() noexcept;
  /// A deep copy (a deferred value's copy shares it until one is modified).
  JsonValue(const JsonValue& other);
  /// Takes `other`'s value; `other` becomes null.
  JsonValue(JsonValue&& other) noexcept;
  /// A deep copy, as the copy constructor.
  JsonValue& operator=(const JsonValue& other);
  /// Takes `other`'s value; `other` becomes null.
  JsonValue& operator=(JsonValue&& other) noexcept;
  ~JsonValue();

  /// Holds `value`. Implicit on purpose: a JsonValue stands for the json it holds.
  JsonValue(nlohmann::json value);  // NOLINT(google-explicit-constructor)

  /// `JsonValue v = {{"key", 1}, {"other", "x"}}`, as nlohmann::json reads braces.
  template <class J = nlohmann::json>
  JsonValue(  // NOLINT(google-explicit-constructor)
      std::initializer_list<typename J::initializer_list_t::value_type> init)
      : JsonValue(J(init)) {}

  /// Assigns anything nlohmann::json can be assigned from (a string, a number, nullptr, a
  /// type with to_json, ...).
  template <class T, class J = nlohmann::json>
  requires(!std::is_same_v<std::remove_cvref_t<T>, JsonValue>) JsonValue& operator=(T&& value) {
    J replacement(std::forward<T>(value));  // first: `value` may live inside this one
    deferred_.reset();                      // replaced, so never made
    as<J>() = std::move(replacement);
    return *this;
  }

  /// An empty JSON object.
  [[nodiscard]] static JsonValue object();

  /// What a deferred JsonValue computes its value from.
  class Source {
   public:
    virtual ~Source() = default;
    /// The value. Called at most once for a deferred value and all its copies.
    [[nodiscard]] virtual nlohmann::json make() const = 0;
  };
  /// A value computed from `source` on its first read, by whichever thread reads first
  /// (reads from several threads are safe, as they are for a const json), and shared by
  /// every copy; the first modification of a copy gives it a value of its own. For a value
  /// that is copied and stored more often than read: an outbox payload, which a reader that
  /// knows the source (source()) may never need as JSON at all. `source` must not be null.
  /// A reference read from one copy while others exist keeps showing the shared value after
  /// that copy is modified (as with any copy-on-write value); a sole owner's stays valid.
  [[nodiscard]] static JsonValue deferred(std::shared_ptr<const Source> source);
  /// The source of a deferred value no modification has detached; null otherwise.
  [[nodiscard]] const Source* source() const noexcept;

  /// The value itself. The non-const overload turns a moved-from JsonValue into null.
  [[nodiscard]] nlohmann::json& json();
  /// The value itself, read-only.
  [[nodiscard]] const nlohmann::json& json() const;

  /// @name Forwarded to json()
  /// The parts of nlohmann::json's interface that callers use; each forwards to json().
  /// @{

  /// `json().at(key)`: throws nlohmann::json::out_of_range for a missing key (or
  /// nlohmann::json::type_error when the value is not an object or array).
  template <class Key, class J = nlohmann::json>
  decltype(auto) at(Key&& key) {
    return as<J>().at(std::forward<Key>(key));
  }
  /// `json().at(key)`, read-only.
  template <class Key, class J = nlohmann::json>
  decltype(auto) at(Key&& key) const {
    return as<J>().at(std::forward<Key>(key));
  }
  /// `json()[key]`: inserts a null member when the key is missing.
  template <class Key, class J = nlohmann::json>
  decltype(auto) operator[](Key&& key) {
    return as<J>()[std::forward<Key>(key)];
  }
  /// `json()[key]`, read-only: the key must be present (nlohmann::json asserts it).
  template <class Key, class J = nlohmann::json>
  decltype(auto) operator[](Key&& key) const {
    return as<J>()[std::forward<Key>(key)];
  }
  /// `json().contains(key)`.
  template <class Key, class J = nlohmann::json>
  [[nodiscard]] bool contains(Key&& key) const {
    return as<J>().contains(std::forward<Key>(key));
  }
  /// `json().value(key, fallback)`: the key's value, or `fallback` when it is absent.
  template <class Key, class Fallback, class J = nlohmann::json>
  [[nodiscard]] auto value(Key&& key, Fallback&& fallback) const {
    return as<J>().value(std::forward<Key>(key), std::forward<Fallback>(fallback));
  }
  /// `json().erase(key)`: how many members were removed.
  template <class Key, class J = nlohmann::json>
  auto erase(Key&& key) {
    return as<J>().erase(std::forward<Key>(key));
  }
  /// `json().get<T>()`: throws nlohmann::json exceptions, or what T's from_json throws.
  template <class T, class J = nlohmann::json>
  [[nodiscard]] T get() const {
    return as<J>().template get<T>();
  }
  /// `json().dump(args...)`: the JSON text.
  template <class J = nlohmann::json, class... Args>
  [[nodiscard]] std::string dump(Args&&... args) const {
    return as<J>().dump(std::forward<Args>(args)...);
  }
  /// `json().is_null()`.
  [[nodiscard]] bool is_null() const;
  /// `json().is_object()`.
  [[nodiscard]] bool is_object() const;
  /// `json().is_discarded()`.
  [[nodiscard]] bool is_discarded() const;
  /// `json().empty()`: true for null and for an empty object or array.
  [[nodiscard]] bool empty() const;
  /// @}

  friend INTERVIEWKIT_EXPORT bool operator==(const JsonValue& a, const JsonValue& b);
  friend INTERVIEWKIT_EXPORT bool operator==(const JsonValue& a, const nlohmann::json& b);
  // Hidden friends: found only for a JsonValue argument, so they never make another type's
  // to_json/from_json ambiguous.
  friend INTERVIEWKIT_EXPORT void to_json(nlohmann::json& j, const JsonValue& value);
  friend INTERVIEWKIT_EXPORT void from_json(const nlohmann::json& j, JsonValue& value);

 private:
  // The held json as a type that depends on a template parameter, so that a member template
  // using it is checked where it is instantiated, with <nlohmann/json.hpp> included.
  template <class J>
  J& as() {
    return json();
  }
  template <class J>
  const J& as() const {
    return json();
  }

  struct Deferred;

  std::unique_ptr<nlohmann::json> value_;  ///< null for JSON null, unless deferred_ is set
  std::shared_ptr<Deferred> deferred_;     ///< set for a deferred value (then value_ is null)
};

}  // namespace interviewkit
