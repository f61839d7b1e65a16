// JsonLinesSink: appends action entries to a JSON Lines file with plain POSIX calls, and
// reads such a file back strictly.
//
// POSIX descriptors rather than iostreams: O_APPEND, O_EXCL, fchmod, fsync and the exact
// count of bytes written are all needed, and iostreams expose none of them.
#include <array>
#include <cerrno>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <interviewkit/log/jsonl_sink.hpp>

#include "../domain/text.hpp"

namespace interviewkit {

namespace {

struct OpenedFile {
  int fd = -1;
  int error = 0;      ///< errno when fd < 0
  bool torn = false;  ///< the existing file ends mid-line (see ends_mid_line)
};

// Paths come from the host's configuration and may hold anything; quoted() keeps an error
// message one clean line whatever they hold.
std::string describe_path(const std::filesystem::path& path) {
  return detail::quoted(path.string());
}

std::string system_reason(int error) {
  return std::generic_category().message(error);
}

// Reports whether the file ends without a newline, i.e. its last line was cut short. Uses its
// own read-only descriptor because the log's descriptor may be write-only; when the file
// cannot be read we assume it is intact rather than refuse to log.
bool ends_mid_line(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  bool torn = false;
  struct stat info {};
  if (::fstat(fd, &info) == 0 && info.st_size > 0) {
    char last = '\n';
    torn = ::pread(fd, &last, 1, info.st_size - 1) == 1 && last != '\n';
  }
  ::close(fd);
  return torn;
}

// Opens an existing file as it is, or creates it with exactly `mode`: created with the mode
// (the umask can only take bits away, so it is never more open than asked for), then given
// the bits a restrictive umask took, on the descriptor.
OpenedFile open_for_append(const std::filesystem::path& path, std::filesystem::perms perms) {
  const auto mode = static_cast<mode_t>(perms & std::filesystem::perms::mask);
  // Create exclusively first, so we know whether the file is ours to give `mode` (an
  // existing file keeps the permissions its owner chose). If it exists, open it as it is;
  // if it vanished in between (ENOENT), go round and create it again. An interrupted call
  // (EINTR) also goes round.
  for (;;) {
    int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd >= 0) {
      if (::fchmod(fd, mode) != 0) {
        const int error = errno;
        ::close(fd);
        return {.fd = -1, .error = error, .torn = false};
      }
      return {.fd = fd, .error = 0, .torn = false};
    }
    if (errno == EINTR)
      continue;
    if (errno != EEXIST)
      return {.fd = -1, .error = errno, .torn = false};
    fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd >= 0)
      return {.fd = fd, .error = 0, .torn = ends_mid_line(path)};
    if (errno != EINTR && errno != ENOENT)  // ENOENT: removed in between, create it again
      return {.fd = -1, .error = errno, .torn = false};
  }
}

// Whether a failure to open is about the path itself (retrying will not help) rather than a
// passing shortage of resources.
bool is_path_problem(int error) {
  switch (error) {
    case ENOENT:
    case ENOTDIR:
    case EISDIR:
    case EACCES:
    case EPERM:
    case EROFS:
    case ELOOP:
    case ENAMETOOLONG:
    case ENXIO:
      return true;
    default:
      return false;
  }
}

// The split tells the host whether to fix its configuration or to try again later.
Error open_error(const std::filesystem::path& path, std::string_view doing, int error) {
  auto what =
      fmt::format("cannot {} action log {}: {}", doing, describe_path(path), system_reason(error));
  if (is_path_problem(error))
    return InvalidInput{std::move(what)};
  return Unavailable{std::move(what)};
}

// Closes the descriptor on every return path of read().
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) noexcept : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  [[nodiscard]] int get() const noexcept { return fd_; }

 private:
  int fd_;
};

// Parses one line of the file, or says why it is not an entry.
Result<ActionEntry> parse_line(const std::filesystem::path& path, std::size_t number,
                               std::string_view line) {
  const auto fail = [&](std::string_view why) {
    return InvalidInput{fmt::format("action log {} line {} is not a valid entry: {}",
                                    describe_path(path), number, why)};
  };
  if (line.empty())
    return fail("the line is empty");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(line);
  } catch (const nlohmann::json::exception& e) {
    return fail(fmt::format("not JSON ({})", e.what()));
  }
  try {
    return j.get<ActionEntry>();
  } catch (const ErrorException& e) {
    const auto* invalid = e.error().get_if<InvalidInput>();
    return fail(invalid ? invalid->what : e.error().message());
  } catch (const nlohmann::json::exception& e) {
    return fail(e.what());
  }
}

// ---- Reading the file back: open, read in blocks, split into lines, parse each line ----

// A read-only descriptor of its own (the sink's is write-only), retried when a signal
// interrupts the open.
Result<int> open_for_reading(const std::filesystem::path& path) {
  int fd = -1;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0)
    return open_error(path, "read", errno);
  return fd;
}

// Parses lines in file order, numbering them from 1 for error messages, and keeps the
// entries that match the query. The first bad line ends the read: a log that cannot be read
// whole is reported, never returned with holes.
class EntryCollector {
 public:
  EntryCollector(const std::filesystem::path& path, const ActionQuery& query)
      : path_(path), query_(query) {}

  Result<void> take(std::string_view line) {
    auto entry = parse_line(path_, ++line_number_, line);
    if (!entry)
      return entry.error();
    if (query_.matches(*entry))
      matching_.push_back(std::move(entry).value());
    return {};
  }

  std::vector<ActionEntry> matching() && { return std::move(matching_); }

 private:
  const std::filesystem::path& path_;
  const ActionQuery& query_;
  std::size_t line_number_ = 0;
  std::vector<ActionEntry> matching_;
};

// Hands every complete line in `pending` to `entries` and keeps only the unfinished tail,
// which the next block continues.
Result<void> take_complete_lines(std::string& pending, EntryCollector& entries) {
  std::size_t start = 0;
  for (auto end = pending.find('\n'); end != std::string::npos; end = pending.find('\n', start)) {
    if (auto ok = entries.take(std::string_view(pending).substr(start, end - start)); !ok)
      return ok.error();
    start = end + 1;
  }
  pending.erase(0, start);
  return {};
}

// Reads the file in 64 KiB blocks, so it is never held in memory whole; only the matching
// entries are kept. A last line without its newline (a write cut short by a crash) is
// still parsed, so the damage is reported rather than silently dropped.
Result<void> read_lines(int fd, const std::filesystem::path& path, EntryCollector& entries) {
  std::string pending;
  std::array<char, 64 * 1024> buffer{};
  for (;;) {
    const auto n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return open_error(path, "read", errno);
    if (n == 0)
      break;
    pending.append(buffer.data(), static_cast<std::size_t>(n));
    if (auto ok = take_complete_lines(pending, entries); !ok)
      return ok.error();
  }
  if (!pending.empty())
    return entries.take(pending);
  return {};
}

}  // namespace

JsonLinesSink::JsonLinesSink(std::filesystem::path path, Options options, int fd,
                             bool torn) noexcept
    : path_(std::move(path)), options_(options), fd_(fd), torn_(torn) {}

JsonLinesSink::~JsonLinesSink() {
  if (fd_ >= 0)
    ::close(fd_);
}

Result<std::shared_ptr<JsonLinesSink>> JsonLinesSink::open(const std::filesystem::path& path) {
  return open(path, Options{});
}

Result<std::shared_ptr<JsonLinesSink>> JsonLinesSink::open(const std::filesystem::path& path,
                                                           Options options) {
  const auto opened = open_for_append(path, options.file_mode);
  if (opened.fd < 0)
    return open_error(path, "open", opened.error);
  // The constructor that adopts the descriptor is private, so make_shared cannot reach it.
  return std::shared_ptr<JsonLinesSink>(new JsonLinesSink(path, options, opened.fd, opened.torn));
}

void JsonLinesSink::write(const ActionEntry& entry) {
  // Serialized outside the lock: it is the expensive part and touches nothing shared.
  // Invalid UTF-8 in details is replaced rather than refused: a slightly garbled detail beats
  // a missing entry in the permanent record.
  std::string line = "\n";
  line += nlohmann::json(entry).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  line += '\n';
  // The line is built with a leading newline; it is sent only when the file ends mid-line,
  // so a cut-short line never runs into this entry and at most that one line is damaged.
  // torn_ is read and updated under the lock, with the write itself.
  std::lock_guard lock(mutex_);
  write_line(torn_ ? std::string_view(line) : std::string_view(line).substr(1));
  // A failed fsync is reported as a failed write although the line is in the file: the
  // caller asked for durability and did not get it.
  if (options_.fsync && ::fsync(fd_) != 0) {
    throw std::system_error(errno, std::generic_category(),
                            fmt::format("cannot fsync action log {}", describe_path(path_)));
  }
}

// One write() usually takes the whole line; the loop handles a partial write (a signal, a
// nearly full disk) by sending the rest. On failure the sink remembers whether the file now
// ends mid-line, and throws: ActionLogSink reports failures by exception and ActionLog
// catches it.
void JsonLinesSink::write_line(std::string_view line) {
  std::size_t done = 0;
  while (done < line.size()) {
    const auto n = ::write(fd_, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      // write() returning 0 for a non-empty buffer would loop forever; treat it as an I/O
      // error.
      const int error = n < 0 ? errno : EIO;
      if (done > 0)
        torn_ = line[done - 1] != '\n';
      throw std::system_error(
          error, std::generic_category(),
          fmt::format("cannot write to action log {} ({} of {} bytes of the line written)",
                      describe_path(path_), done, line.size()));
    }
    done += static_cast<std::size_t>(n);
  }
  torn_ = false;
}

// fsync makes every line already written durable, whichever thread wrote it; with
// Options::fsync each write has done so already and this costs little.
void JsonLinesSink::flush() {
  std::lock_guard lock(mutex_);
  if (::fsync(fd_) != 0) {
    throw std::system_error(errno, std::generic_category(),
                            fmt::format("cannot fsync action log {}", describe_path(path_)));
  }
}

std::vector<ActionEntry> JsonLinesSink::query(const ActionQuery& query) const {
  // Holding the lock keeps this process's own writes from being seen half done.
  std::lock_guard lock(mutex_);
  auto entries = read(path_, query);
  if (!entries)
    throw ErrorException(entries.error());
  return std::move(entries).value();
}

// Strict on purpose: the log is the permanent record, and a reader that skipped what it
// could not parse would answer queries with entries silently missing.
Result<std::vector<ActionEntry>> JsonLinesSink::read(const std::filesystem::path& path,
                                                     const ActionQuery& query) {
  const auto opened = open_for_reading(path);
  if (!opened)
    return opened.error();
  const FileDescriptor fd(*opened);
  EntryCollector entries(path, query);
  if (auto ok = read_lines(fd.get(), path, entries); !ok)
    return ok.error();
  return std::move(entries).matching();
}

}  // namespace interviewkit
