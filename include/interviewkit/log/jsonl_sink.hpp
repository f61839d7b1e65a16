// JsonLinesSink: the durable record as a file of JSON Lines, one entry per line, that a
// host can tail, ship to its log pipeline, or read back and query.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include <interviewkit/domain/result.hpp>
#include <interviewkit/export.hpp>
#include <interviewkit/log/action_entry.hpp>
#include <interviewkit/log/sink.hpp>

namespace interviewkit {

/// Appends each entry as one line of JSON (see adl_serializer<ActionEntry>) with a single
/// write() on a file opened with O_APPEND, so on a local file system lines from other
/// appending processes do not interleave with ours, and a crash leaves at most the last line
/// incomplete (the next line written starts on a fresh line). POSIX only. Thread-safe: every
/// member may be called from any thread; writes are serialized.
class INTERVIEWKIT_EXPORT JsonLinesSink final : public QueryableSink {
 public:
  /// How the file is written.
  struct Options {
    /// fsync after every entry, so a written entry survives a power cut. Costs one disk flush
    /// per entry; without it the OS decides when the data reaches the disk.
    bool fsync = false;
    /// Permissions of a file the log creates, exactly (whatever the process umask): by
    /// default readable and writable by the owner only, since entries hold personal data and
    /// meeting links. An existing file keeps its permissions.
    std::filesystem::perms file_mode =
        std::filesystem::perms::owner_read | std::filesystem::perms::owner_write;
  };

  ~JsonLinesSink() override;

  JsonLinesSink(const JsonLinesSink&) = delete;
  JsonLinesSink& operator=(const JsonLinesSink&) = delete;

  /// @{
  /// Opens `path` for appending, creating it (with Options::file_mode, 0600 by default) if it
  /// is missing; existing lines are kept. A file that cannot be opened is InvalidInput
  /// when the path itself is wrong (missing directory, no permission, a directory, ...),
  /// Unavailable when it may work later (too many open files, out of space, ...). Both name
  /// the path and the system's reason. Without `options`, the default Options.
  [[nodiscard]] static Result<std::shared_ptr<JsonLinesSink>> open(
      const std::filesystem::path& path);
  [[nodiscard]] static Result<std::shared_ptr<JsonLinesSink>> open(
      const std::filesystem::path& path, Options options);
  /// @}

  /// Throws interviewkit::ErrorException for an entry that fails validate(), and
  /// std::system_error naming the path when the line cannot be written (or synced) in full.
  void write(const ActionEntry& entry) override;
  /// Lines are handed to the OS as they are written, so nothing is buffered here; flush()
  /// makes them durable with fsync. Throws std::system_error on failure.
  void flush() override;

  /// Reads the file back (see read()). Throws interviewkit::ErrorException with read()'s
  /// error when the file cannot be read or holds a malformed line.
  [[nodiscard]] std::vector<ActionEntry> query(const ActionQuery& query) const override;

  /// Reads a JSON Lines action log strictly: every line must be one valid entry. A malformed
  /// line is an InvalidInput error naming the file and the line number; nothing is skipped.
  /// A last line without its newline (a write cut short) is parsed like any other.
  [[nodiscard]] static Result<std::vector<ActionEntry>> read(const std::filesystem::path& path,
                                                             const ActionQuery& query = {});

  /// The file written, as given to open().
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
  /// The options given to open().
  [[nodiscard]] Options options() const noexcept { return options_; }

 private:
  JsonLinesSink(std::filesystem::path path, Options options, int fd, bool torn) noexcept;

  void write_line(std::string_view line);  // requires mutex_ held

  std::filesystem::path path_;
  Options options_;
  mutable std::mutex mutex_;
  int fd_ = -1;
  /// The file does not end with a newline (an earlier write was cut short): the next line
  /// starts with one, so the damage stays confined to the torn line.
  bool torn_ = false;
};

}  // namespace interviewkit
