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

// errno of the failed write, if any.
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

std::optional<IoError> sync_directory(const std::filesystem::path& directory) {
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return IoError{errno, "opening directory " + directory.string()};
  Descriptor dir(fd);
  if (::fsync(dir.get()) != 0)
    return IoError{errno, "syncing directory " + directory.string()};
  return std::nullopt;
}

}  // namespace

FileNotifier::FileNotifier(FileNotifierOptions options) : options_(std::move(options)) {
  if (!options_.clock)
    options_.clock = std::make_shared<SystemClock>();
}

std::string FileNotifier::file_stem(const Notification& notification,
                                    const DeliveryContext& context) {
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
  return fmt::format("{}.{:016x}", readable, mail_text::fnv1a64(key));
}

DeliveryOutcome FileNotifier::deliver(const Notification& notification,
                                      const DeliveryContext& context) {
  auto message = render_email(notification, context, options_.email, options_.clock->now());
  if (!message) {
    return DeliveryOutcome::permanent_failure(
        fmt::format("cannot render the email: {}", message.error().message()));
  }
  const auto& directory = options_.directory;
  const auto fail = [&](const IoError& e) {
    auto what = fmt::format("cannot write the email to {}: {} failed: {}", directory.string(),
                            e.what, std::generic_category().message(e.error));
    if (is_path_problem(e.error))
      return DeliveryOutcome::permanent_failure(std::move(what));
    return DeliveryOutcome::transient_failure(std::move(what));
  };
  if (directory.empty())
    return DeliveryOutcome::permanent_failure("FileNotifier has no directory configured");

  std::error_code ec;
  if (!std::filesystem::is_directory(directory, ec)) {
    // Something that is not a directory is in the way: creating it would fail with EEXIST,
    // which reads as a passing problem when it is a configuration one.
    if (std::filesystem::exists(std::filesystem::symlink_status(directory, ec)))
      return fail({ENOTDIR, "using it as a directory"});
    std::filesystem::create_directories(directory, ec);
    if (ec)
      return fail({ec.value(), "creating the directory"});
  }

  const auto stem = file_stem(notification, context);
  // Unique per process and delivery, hidden, and never matching "*.eml" or "*.ics".
  const auto temporary_suffix = fmt::format(".{}.{}.tmp", ::getpid(), sequence_.fetch_add(1));
  const auto eml = directory / (stem + ".eml");
  const auto ics = directory / (stem + ".ics");
  // The .ics first: once the .eml is in place the message is complete.
  if (auto failed = replace_file(directory / ("." + stem + ".ics" + temporary_suffix), ics,
                                 message->ics, options_.sync, options_.file_mode)) {
    return fail(*failed);
  }
  if (auto failed = replace_file(directory / ("." + stem + ".eml" + temporary_suffix), eml,
                                 message->data, options_.sync, options_.file_mode)) {
    return fail(*failed);
  }
  if (options_.sync) {
    if (auto failed = sync_directory(directory))
      return fail(*failed);
  }
  return DeliveryOutcome::delivered(eml.string());
}

}  // namespace interviewkit
