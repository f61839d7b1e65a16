// Shared fixtures for the action log tests: sample entries, a scratch directory, and sinks
// that fail on purpose.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include <date/date.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>  // ActionEntry::details

#include <interviewkit/log/action_entry.hpp>
#include <interviewkit/log/sink.hpp>

namespace log_test {

using namespace std::chrono_literals;

/// 2024-03-12T14:00:00Z plus `offset`.
inline interviewkit::UtcMillis at(std::chrono::milliseconds offset = 0ms) {
  return interviewkit::UtcMillis{date::sys_days{date::year{2024} / 3 / 12} + 14h} + offset;
}

inline interviewkit::Actor actor(interviewkit::ActorRole role, std::string_view id) {
  return interviewkit::Actor::make(role, id).value();
}

inline interviewkit::ActionEntry entry(interviewkit::ActionType action, std::uint64_t interview,
                                       std::chrono::milliseconds offset = 0ms) {
  return interviewkit::ActionEntry{
      .time = at(offset),
      .action = action,
      .interview = interviewkit::InterviewId{interview},
      .actor = interviewkit::Actor::system(),
      .from = std::nullopt,
      .to = std::nullopt,
      .details = nlohmann::json::object(),
  };
}

/// A booking with every field set, including details that need escaping.
inline interviewkit::ActionEntry full_entry() {
  return interviewkit::ActionEntry{
      .time = at(250ms),
      .action = interviewkit::ActionType::interview_booked,
      .interview = interviewkit::InterviewId{42},
      .actor = actor(interviewkit::ActorRole::recruiter, "r-1"),
      .from = interviewkit::InterviewStatus::pending,
      .to = interviewkit::InterviewStatus::scheduled,
      .details = {{"slot", "2024-03-13T09:00:00Z"},
                  {"note", "line one\nline two \"quoted\" 李雷"},
                  {"attempt", 1}},
  };
}

/// A fresh directory under the system temp directory, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::random_device random;
    for (int attempt = 0; attempt < 100; ++attempt) {
      path_ = std::filesystem::temp_directory_path() /
              fmt::format("interviewkit-action-log-test-{:08x}{:08x}", random(), random());
      if (std::filesystem::create_directory(path_))
        return;
    }
    throw std::runtime_error("could not create a unique temporary directory");
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  [[nodiscard]] std::filesystem::path operator/(const std::string& name) const {
    return path_ / name;
  }

 private:
  std::filesystem::path path_;
};

/// The file's lines, without their newlines. A last line without a newline is included.
inline std::vector<std::string> read_lines(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error("cannot open " + path.string());
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

/// Fails every write and flush, throwing whatever `thrower` throws.
template <class Thrower>
class ThrowingSink final : public interviewkit::ActionLogSink {
 public:
  explicit ThrowingSink(Thrower thrower) : thrower_(std::move(thrower)) {}
  void write(const interviewkit::ActionEntry&) override {
    attempts_.fetch_add(1);
    thrower_();
  }
  void flush() override { thrower_(); }
  [[nodiscard]] int attempts() const { return attempts_.load(); }

 private:
  Thrower thrower_;
  std::atomic<int> attempts_{0};
};

template <class Thrower>
std::shared_ptr<ThrowingSink<Thrower>> throwing_sink(Thrower thrower) {
  return std::make_shared<ThrowingSink<Thrower>>(std::move(thrower));
}

}  // namespace log_test
