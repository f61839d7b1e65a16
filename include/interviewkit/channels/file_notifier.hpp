// FileNotifier: "sends" each email by writing it into a directory as an .eml file plus its
// .ics invite, like Django's file-based email backend. For development, demos and tests.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include <interviewkit/channels/email_message.hpp>
#include <interviewkit/domain/clock.hpp>
#include <interviewkit/export.hpp>
#include <interviewkit/notify/notifier.hpp>

namespace interviewkit {

/// Options of a FileNotifier.
struct FileNotifierOptions {
  /// Where the files go; created (with parents) on first delivery if missing.
  std::filesystem::path directory{};
  EmailOptions email{};  ///< how the messages are rendered
  /// fsync each file and the directory before reporting a delivery, so "delivered" survives
  /// a power cut. Off makes it faster and is fine for throwaway directories.
  bool sync = true;
  /// Permissions of the files written, exactly (whatever the process umask): by default
  /// readable and writable by the owner only, since they hold personal data and meeting
  /// links. The directory, when created, gets the usual 0777 less the umask.
  std::filesystem::perms file_mode =
      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write;
  /// Supplies the Date header and the invite's DTSTAMP.
  /// Default: the system clock (when null).
  std::shared_ptr<const Clock> clock{};
};

/// Renders each notification with render_email and writes `<stem>.eml` and `<stem>.ics`.
/// The stem is derived from the notification's idempotency key (or, if that is empty, the
/// message token), so a retry of the same message replaces its files instead of adding
/// copies. Each file is written to a temporary name and renamed into place: a reader never
/// sees half a message.
///
/// Outcomes: a notification that cannot be rendered is a permanent failure; an I/O error is
/// a failure that names the file and the system error, retryable unless it is about the path
/// itself (permission, read-only file system, not a directory, name too long).
///
/// Thread-safe: concurrent deliveries write distinct temporary files, and the options are
/// only read after construction. Two deliveries of the same message at once (a retry racing
/// a slow attempt) each leave a whole .eml and .ics; the last rename wins.
class INTERVIEWKIT_EXPORT FileNotifier final : public Notifier {
 public:
  /// Refuses email options without a sender or a Message-ID domain (check_email_options),
  /// and an empty directory. A missing or unusable directory is not refused: each delivery
  /// reports it, as it may appear or be fixed while the host runs.
  [[nodiscard]] static Result<std::shared_ptr<FileNotifier>> make(FileNotifierOptions options);

  /// Checks nothing: use make(). Options that make() would refuse fail every delivery
  /// permanently, with the same message.
  explicit FileNotifier(FileNotifierOptions options);

  DeliveryOutcome deliver(const Notification& notification,
                          const DeliveryContext& context) override;
  /// 4: with `sync` a delivery mostly waits for fsync, and a few at once overlap those
  /// waits (the file system commits them together); more would only queue on the same disk.
  [[nodiscard]] std::size_t max_concurrency() const noexcept override { return 4; }

  /// The file name, without extension, that `notification` is written under: the
  /// idempotency key made safe for a file name ("interview-42-v3-candidate-cand-1-
  /// interview_scheduled") plus a digest of the exact key, so distinct keys never collide.
  [[nodiscard]] static std::string file_stem(const Notification& notification,
                                             const DeliveryContext& context);

  /// Where the files go (FileNotifierOptions::directory).
  [[nodiscard]] const std::filesystem::path& directory() const noexcept {
    return options_.directory;
  }

 private:
  FileNotifierOptions options_;  // options_.clock is never null
  std::atomic<std::uint64_t> sequence_{0};
};

}  // namespace interviewkit
