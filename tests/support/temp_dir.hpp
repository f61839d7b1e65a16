// A temporary directory removed when the test is done.
#pragma once

#include <filesystem>
#include <random>
#include <string>
#include <unistd.h>

namespace interviewkit::testing {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix) {
    std::random_device rd;
    path_ =
        std::filesystem::temp_directory_path() /
        ("interviewkit-" + prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace interviewkit::testing
