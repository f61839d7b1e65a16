// CPU time of other processes, read from /proc: the benchmarks report it next to their
// figures, because on a small machine the server or the database may be what limits them.
#pragma once

#include <atomic>
#include <chrono>
#include <dirent.h>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <unistd.h>

namespace interviewkit::bench {

struct ProcStat {
  bool ok = false;
  int parent = 0;
  double cpu_seconds = 0;  // user + system
};

inline ProcStat proc_stat(int pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const auto paren = text.rfind(')');  // the command name may hold spaces and parentheses
  if (paren == std::string::npos)
    return {};
  std::istringstream rest(text.substr(paren + 2));
  std::string field;
  ProcStat stat;
  unsigned long long ticks = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 4)
      stat.parent = std::stoi(field);
    if (i == 14 || i == 15)
      ticks += std::stoull(field);
  }
  stat.ok = true;
  stat.cpu_seconds = static_cast<double>(ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
  return stat;
}

inline std::string proc_cmdline(int pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/cmdline");
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  for (auto& ch : text)
    if (ch == '\0')
      ch = ' ';
  return text;
}

template <typename Visit>
void for_each_pid(Visit visit) {
  DIR* dir = opendir("/proc");
  while (dirent* entry = dir != nullptr ? readdir(dir) : nullptr) {
    const int pid = std::atoi(entry->d_name);
    if (pid > 0)
      visit(pid);
  }
  if (dir != nullptr)
    closedir(dir);
}

/// CPU used by a process and its children (a PostgreSQL postmaster and its backends) while
/// it lives: sampled every 100 ms, since a backend that exits takes its counters with it
/// (so up to 100 ms of each exiting child's CPU can be missed).
class TreeCpu {
 public:
  explicit TreeCpu(int root) : root_(root) {
    sample(true);
    thread_ = std::thread([this] {
      while (!stop_) {
        std::this_thread::sleep_for(std::chrono::milliseconds{100});
        sample(false);
      }
    });
  }
  ~TreeCpu() { seconds(); }
  TreeCpu(const TreeCpu&) = delete;
  TreeCpu& operator=(const TreeCpu&) = delete;

  /// Stops sampling; CPU seconds used since construction.
  double seconds() {
    if (thread_.joinable()) {
      stop_ = true;
      thread_.join();
      sample(false);
    }
    double total = 0;
    for (const auto& [pid, span] : seen_)
      total += span.second - span.first;
    return total;
  }

  /// The postmaster listening on `port` (its command line holds "-p <port>"), or 0.
  static int postmaster(int port) {
    int found = 0;
    const auto flag = " -p " + std::to_string(port) + " ";
    for_each_pid([&](int pid) {
      if (proc_cmdline(pid).find(flag) != std::string::npos &&
          proc_cmdline(pid).find("postgres") != std::string::npos)
        found = pid;
    });
    return found;
  }

 private:
  void sample(bool first) {
    std::lock_guard lock(mutex_);
    for_each_pid([&](int pid) {
      const auto stat = proc_stat(pid);
      if (!stat.ok || (pid != root_ && stat.parent != root_))
        return;
      // A child born after the start counts from zero.
      const auto [it, fresh] = seen_.try_emplace(pid, first ? stat.cpu_seconds : 0.0, 0.0);
      it->second.second = stat.cpu_seconds;
      (void)fresh;
    });
  }

  int root_;
  std::mutex mutex_;
  std::map<int, std::pair<double, double>> seen_;  // pid: CPU seconds at start, last seen
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace interviewkit::bench
