// JsonValue: a JSON value held by pointer so that public headers need only json_fwd.hpp; it
// reads and writes like the nlohmann::json it holds.
#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <interviewkit/domain/json_value.hpp>

using interviewkit::JsonValue;

TEST_CASE("a JsonValue reads and writes like the json it holds", "[domain]") {
  JsonValue v = {{"kind", "invite"}, {"attempt", 2}};
  CHECK(v.is_object());
  CHECK(v.at("attempt").get<int>() == 2);
  CHECK(v.contains("kind"));
  CHECK(v.value("missing", std::string("fallback")) == "fallback");
  v["error"] = "timeout";
  CHECK(v.erase("kind") == 1);
  CHECK(v.dump() == R"({"attempt":2,"error":"timeout"})");
  CHECK(v == nlohmann::json{{"attempt", 2}, {"error", "timeout"}});
  CHECK(nlohmann::json(v) == nlohmann::json::parse(v.dump()));
  CHECK(nlohmann::json::parse(R"({"a":[1]})").get<JsonValue>().at("a").size() == 1);

  v = nlohmann::json::array({1, 2});
  CHECK_FALSE(v.is_object());
  v = nullptr;
  CHECK(v.is_null());
}

TEST_CASE("a JsonValue is a value: copies are deep and a moved-from one is null", "[domain]") {
  CHECK(JsonValue().is_null());
  CHECK(JsonValue::object().is_object());
  CHECK(JsonValue::object().empty());
  CHECK(JsonValue() == JsonValue(nlohmann::json()));

  JsonValue original = {{"n", 1}};
  JsonValue copy = original;
  copy["n"] = 2;
  CHECK(original.at("n") == 1);
  CHECK(copy != original);

  JsonValue moved = std::move(copy);
  CHECK(moved.at("n") == 2);
  CHECK(copy.is_null());  // NOLINT(bugprone-use-after-move): documented state
  copy["again"] = true;   // and usable again
  CHECK(copy.at("again") == true);
}

namespace {

// Counts how often its value is made; throws on the first call when asked to.
class CountingSource final : public JsonValue::Source {
 public:
  explicit CountingSource(bool fail_first = false) : fail_first_(fail_first) {}
  nlohmann::json make() const override {
    if (made_.fetch_add(1) == 0 && fail_first_)
      throw std::runtime_error("out of memory, once");
    return {{"made", true}, {"list", {1, 2, 3}}};
  }
  int made() const { return made_.load(); }

 private:
  bool fail_first_;
  mutable std::atomic<int> made_{0};
};

}  // namespace

TEST_CASE("a deferred JsonValue is made once, on first read, and shared by its copies",
          "[domain][dispatch]") {
  auto source = std::make_shared<CountingSource>();
  auto v = JsonValue::deferred(source);
  CHECK(v.source() == source.get());
  CHECK(source->made() == 0);
  const auto copy = v;
  auto moved_into = JsonValue(copy);
  CHECK(source->made() == 0);  // copying makes nothing
  CHECK(copy.at("list").size() == 3);
  CHECK(std::as_const(v).dump() == R"({"list":[1,2,3],"made":true})");
  CHECK(moved_into == copy);
  CHECK(source->made() == 1);

  // A modification detaches the modified copy only.
  v["made"] = false;
  CHECK(v.source() == nullptr);
  CHECK(copy.at("made").get<bool>());
  CHECK(source->made() == 1);

  // Assigning a new value never makes the old one; a moved-from value is null.
  auto fresh_source = std::make_shared<CountingSource>();
  auto replaced = JsonValue::deferred(fresh_source);
  replaced = nlohmann::json{{"other", 1}};
  CHECK(replaced.source() == nullptr);
  CHECK(replaced.at("other").get<int>() == 1);
  CHECK(fresh_source->made() == 0);
  auto taken = std::move(moved_into);
  CHECK(moved_into.is_null());  // NOLINT(bugprone-use-after-move): defined as null
  CHECK(taken.source() == source.get());
}

TEST_CASE("a deferred JsonValue whose source throws is made again on the next read",
          "[domain][dispatch][concurrency]") {
  auto source = std::make_shared<CountingSource>(/*fail_first=*/true);
  const auto v = JsonValue::deferred(source);
  CHECK_THROWS_WITH(v.dump(), "out of memory, once");
  CHECK(v.at("made").get<bool>());
  CHECK(source->made() == 2);
}

TEST_CASE("threads reading copies of a deferred JsonValue make it once", "[domain][concurrency]") {
  auto source = std::make_shared<CountingSource>();
  const auto v = JsonValue::deferred(source);
  std::vector<JsonValue> copies(8, v);
  std::vector<std::string> seen(copies.size());
  std::vector<std::thread> readers;
  for (std::size_t i = 0; i < copies.size(); ++i)
    readers.emplace_back([&, i] { seen[i] = copies[i].dump(); });
  for (auto& reader : readers)
    reader.join();
  CHECK(source->made() == 1);
  for (const auto& text : seen)
    CHECK(text == R"({"list":[1,2,3],"made":true})");
}

TEST_CASE(
    "a deferred JsonValue can be assigned a part of itself, and its sole owner's "
    "references survive a change",
    "[domain][dispatch]") {
  struct Nested final : JsonValue::Source {
    nlohmann::json make() const override {
      return {{"interview", {{"title", std::string(100, 'x')}}}};
    }
  };
  auto v = JsonValue::deferred(std::make_shared<Nested>());
  v = std::as_const(v).at("interview");  // the right side lives inside the deferred value
  CHECK(v.at("title").get<std::string>().size() == 100);

  auto w = JsonValue::deferred(std::make_shared<Nested>());
  const auto& read = std::as_const(w).json();
  w["changed"] = true;  // the sole owner takes the made value over
  CHECK(read.contains("changed"));
  CHECK(&read == &std::as_const(w).json());

  auto shared = JsonValue::deferred(std::make_shared<Nested>());
  const auto other = shared;
  const auto& before = std::as_const(shared).json();
  shared["changed"] = true;  // detaches from `other`, which keeps the value `before` reads
  CHECK_FALSE(before.contains("changed"));
  CHECK_FALSE(other.contains("changed"));
  CHECK(shared.contains("changed"));
}
