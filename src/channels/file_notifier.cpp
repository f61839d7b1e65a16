// FileNotifier: writes each notification as an .eml file and its .ics invite into a
// directory, atomically and (optionally) durably: a development and demo transport.
#include <cerrno>
#include <fcntl.h>
#include <optional>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>
#include <utility>

#include <fmt/format.h>

#include <interviewkit/channels/file_notifier.hpp>

#include "mail_text.hpp"

namespace interviewkit {

namespace {

// Readable part of a file name; with the digest and extensions it stays well below the
// 255-byte NAME_MAX of common file systems.
constexpr std::size_t max_readable_stem = 120;

struct IoError {
  int error = 0;
  std::string what;
};

// Errors about the path itself will not go away by waiting; everything else (a full disk,
// EIO, too many open files, ...) may, so a retry is worth it.
bool is_path_problem(int error) {
  switch (error) {
    case EACCES:
    case EPERM:
    case EROFS:
    case ENOTDIR:
    case EISDIR:
    case ELOOP:
    case ENAMETOOLONG:
      return true;
    default:
      return false;
  }
}

// Owns a file descriptor; close() reports the result where the destructor cannot.
class Descriptor {
 public:
  explicit Descriptor(int fd) noexcept : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  [[nodiscard]] int get() const noexcept { return fd_; }
  // close() reports write-back errors on some file systems (NFS), so its result matters.
  int close() noexcept {
    const int result = ::close(fd_);
    fd_ = -1;
    return result;
  }

 private:
  int fd_;
};

// errno of the failed write, if any. write(2) may write less than asked (a signal, a pipe,
// a nearly full disk), so it loops until everything is written.
std::optional<int> write_all(int fd, std::string_view bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const auto n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)  // 0 for a non-empty buffer would loop forever: treat it as an I/O error
      return n < 0 ? errno : EIO;
    done += static_cast<std::size_t>(n);
  }
  return std::nullopt;
}

// Writes `bytes` to `temporary`, then renames it over `target`, so the target is either the
// old file or the whole new one.
// The temporary is created with `perms` (the umask can only take bits away, so it is never
// more open than asked for), then given exactly `perms` on its descriptor before any byte is
// written; the rename keeps them.
std::optional<IoError> replace_file(const std::filesystem::path& temporary,
                                    const std::filesystem::path& target, std::string_view bytes,
                                    bool sync, std::filesystem::perms perms) {
  const auto mode = static_cast<mode_t>(perms & std::filesystem::perms::mask);
  int fd = -1;
  do {
    fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0)
    return IoError{errno, "creating " + temporary.string()};
  Descriptor file(fd);
  std::optional<IoError> failed;
  if (::fchmod(file.get(), mode) != 0) {
    failed = IoError{errno, "setting the permissions of " + temporary.string()};
  } else if (auto error = write_all(file.get(), bytes)) {
    failed = IoError{*error, "writing " + temporary.string()};
  } else if (sync && ::fsync(file.get()) != 0) {
    failed = IoError{errno, "syncing " + temporary.string()};
  } else if (file.close() != 0) {
    failed = IoError{errno, "closing " + temporary.string()};
  } else if (::rename(temporary.c_str(), target.c_str()) != 0) {
    failed = IoError{errno, "renaming it to " + target.string()};
  }
  if (failed)
    ::unlink(temporary.c_str());
  return failed;
}

// fsync on the directory itself: what makes a rename inside it survive a power cut.
std::optional<IoError> sync_directory(const std::filesystem::path& directory) {
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return IoError{errno, "opening directory " + directory.string()};
  Descriptor dir(fd);
  if (::fsync(dir.get()) != 0)
    return IoError{errno, "syncing directory " + directory.string()};
  return std::nullopt;
}

// ---- deliver's steps ---------------------------------------------------------------------

// The outcome for an I/O error: it names the file and the system's reason, and is
// permanent only when the path itself is the problem (see is_path_problem).
DeliveryOutcome io_failure(const std::filesystem::path& directory, const IoError& e) {
  auto what = fmt::format("cannot write the email to {}: {} failed: {}", directory.string(), e.what,
                          std::generic_category().message(e.error));
  if (is_path_problem(e.error))
    return DeliveryOutcome::permanent_failure(std::move(what));
  return DeliveryOutcome::transient_failure(std::move(what));
}

// Creates `directory` (with parents) unless it is there. REQUIRES: `directory` is not empty.
std::optional<IoError> ensure_directory(const std::filesystem::path& directory) {
  std::error_code ec;
  if (std::filesystem::is_directory(directory, ec))
    return std::nullopt;
  // Something that is not a directory is in the way: creating it would fail with EEXIST,
  // which reads as a passing problem when it is a configuration one.
  if (std::filesystem::exists(std::filesystem::symlink_status(directory, ec)))
    return IoError{ENOTDIR, "using it as a directory"};
  std::filesystem::create_directories(directory, ec);
  if (ec)
    return IoError{ec.value(), "creating the directory"};
  return std::nullopt;
}

// Writes `<stem>.ics`, then `<stem>.eml`, each through a temporary named with
// `temporary_suffix`; with `options.sync`, the directory entry is made durable as well.
std::optional<IoError> write_message(const FileNotifierOptions& options, std::string_view stem,
                                     std::string_view temporary_suffix,
                                     const EmailMessage& message) {
  const auto& directory = options.directory;
  const auto name = [&](std::string_view extension) {
    return directory / fmt::format("{}{}", stem, extension);
  };
  const auto temporary = [&](std::string_view extension) {
    return directory / fmt::format(".{}{}{}", stem, extension, temporary_suffix);
  };
  // The .ics first: once the .eml is in place the message is complete.
  if (auto failed = replace_file(temporary(".ics"), name(".ics"), message.ics, options.sync,
                                 options.file_mode)) {
    return failed;
  }
  if (auto failed = replace_file(temporary(".eml"), name(".eml"), message.data, options.sync,
                                 options.file_mode)) {
    return failed;
  }
  // rename() is durable only once the directory itself is synced (fsync(2) on Linux).
  if (options.sync)
    return sync_directory(directory);
  return std::nullopt;
}

}  // namespace

Result<std::shared_ptr<FileNotifier>> FileNotifier::make(FileNotifierOptions options) {
  if (auto ok = check_email_options(options.email); !ok)
    return ok.error();
  if (options.directory.empty())
    return InvalidInput{"FileNotifierOptions::directory is required"};
  return std::make_shared<FileNotifier>(std::move(options));
}

FileNotifier::FileNotifier(FileNotifierOptions options) : options_(std::move(options)) {
  if (!options_.clock)
    options_.clock = std::make_shared<SystemClock>();
}

std::string FileNotifier::file_stem(const Notification& notification,
                                    const DeliveryContext& context) {
  // The idempotency key is the same for every retry and for a re-enqueued copy of the same
  // notification (at-least-once delivery), so each replaces the files of the last.
  const std::string& key =
      notification.idempotency_key.empty() ? context.message_token : notification.idempotency_key;
  std::string readable;
  for (const char c : key) {
    if (readable.size() >= max_readable_stem)
      break;
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.';
    // Leading dots would hide the file; "/" and ":" separate the key's parts.
    readable += (safe && !(c == '.' && readable.empty())) ? c : '-';
  }
  if (readable.empty())
    readable = "message";
  // Cleaning maps distinct keys to the same text ("a/b", "a:b"): the digest of the exact
  // key keeps them apart.
  return fmt::format("{}.{:016x}", readable, mail_text::fnv1a64(key));
}

DeliveryOutcome FileNotifier::deliver(const Notification& notification,
                                      const DeliveryContext& context) {
  // Rendering depends on the notification and the options alone: it would fail again.
  auto message = render_email(notification, context, options_.email, options_.clock->now());
  if (!message) {
    return DeliveryOutcome::permanent_failure(
        fmt::format("cannot render the email: {}", message.error().message()));
  }
  const auto& directory = options_.directory;
  if (directory.empty())
    return DeliveryOutcome::permanent_failure("FileNotifier has no directory configured");
  if (auto failed = ensure_directory(directory))
    return io_failure(directory, *failed);

  const auto stem = file_stem(notification, context);
  // Unique per process and delivery, hidden, and never matching "*.eml" or "*.ics".
  const auto temporary_suffix = fmt::format(".{}.{}.tmp", ::getpid(), sequence_.fetch_add(1));
  if (auto failed = write_message(options_, stem, temporary_suffix, *message))
    return io_failure(directory, *failed);
  return DeliveryOutcome::delivered((directory / (stem + ".eml")).string());
}

}  // namespace interviewkit
