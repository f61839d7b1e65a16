// Dispatch throughput when every delivery waits 100 ms for its server, as remote mail servers
// and webhook receivers make it wait: the real Dispatcher, SmtpNotifier and WebhookNotifier
// against loopback servers that delay each reply (bench/servers/), concurrent next to
// sequential (max_in_flight 1) in the same run. The cases: each server's own capacity (a plain
// libcurl client, no dispatcher); steady throughput; a burst of 10,000 reminders due at once
// in one process; the same burst on one PostgreSQL database drained by one dispatcher process
// and by three. Every dispatch case checks that the server answered exactly as many messages
// as the store recorded delivered: none lost, none sent twice.
#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sys/resource.h>
#include <thread>

#include <benchmark/benchmark.h>
#include <curl/curl.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <interviewkit/channels.hpp>
#include <interviewkit/interviewkit.hpp>
#include <interviewkit/store/postgres_store.hpp>
#include <interviewkit/store/sqlite_store.hpp>

#include "bench_support.hpp"
#include "latency_server.hpp"
#include "proc_cpu.hpp"
#include "support/postgres_server.hpp"
#include "support/process.hpp"

using namespace interviewkit;
using namespace std::chrono_literals;
using bench::LatencyServer;
using bench::NullSink;
using bench::ServerKind;

namespace {

constexpr std::size_t kConcurrency = 256;  // in flight, per destination and connections
constexpr std::size_t kBatch = 1000;
constexpr int kBurst = 10'000;

std::shared_ptr<Notifier> channel_for(const LatencyServer& server, std::size_t connections) {
  if (server.smtp()) {
    SmtpOptions options{.email = {.test_mode = true}};
    options.url = fmt::format("smtp://127.0.0.1:{}", server.port());
    options.starttls = SmtpOptions::StartTls::off;
    options.max_connections = connections;
    return SmtpNotifier::make(options).value();
  }
  WebhookOptions options;
  options.url = fmt::format("http://127.0.0.1:{}/hook", server.port());
  options.secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  options.max_connections = connections;
  return WebhookNotifier::make(options).value();
}

DispatcherOptions dispatch_options(bool concurrent) {
  DispatcherOptions options;
  options.batch_size = kBatch;
  options.max_in_flight = concurrent ? kConcurrency : 1;
  options.max_per_destination = kConcurrency;
  return options;
}

Interview interview_for(int i, UtcMillis now) {
  const auto created = date::floor<std::chrono::seconds>(now);
  const auto candidate = fmt::format("cand-{}", i);
  const auto interviewer = fmt::format("int-{}", i % 100);
  return Interview{
      .id = InterviewId{},
      .title = "Systems design",
      .candidate = {CandidateId::make(candidate).value(), bench::person(candidate)},
      .interviewers = {{InterviewerId::make(interviewer).value(), bench::person(interviewer)}},
      .slot = TimeRange::make(created + std::chrono::hours{240 + i}, 1h).value(),
      .status = InterviewStatus::scheduled,
      .version = 1,
      .meeting_link = "https://meet.example.com/r/abc",
      .created_at = created,
      .updated_at = created};
}

OutboxMessage message_for(const Interview& interview, int i, UtcMillis due) {
  const auto to = Recipient::of(interview.candidate);
  const auto kind = NotificationKind::interview_reminder;
  const auto key = make_idempotency_key(interview.id, 1, to, kind);
  OutboxMessage m;
  m.idempotency_key = key;
  m.interview = interview.id;
  m.kind = kind;
  m.payload = nlohmann::json(Notification{kind, to, interview, std::nullopt, {}, key});
  m.message_token = fmt::format("bench-{}-{}", ::getpid(), i);  // a Message-ID's local part
  m.due = due;
  m.created_at = due;
  m.updated_at = due;
  return m;
}

// `count` reminders due now, one per interview (so no message waits behind another of its
// lane), written as BookingService's transactions would leave them, 1,000 per transaction.
void enqueue(Store& store, int count) {
  const auto now = SystemClock{}.now();
  for (int first = 0; first < count; first += 1000) {
    store
        .write([&](StoreTransaction& tx) -> Result<void> {
          std::vector<OutboxMessage> batch;
          for (int i = first; i < std::min(count, first + 1000); ++i) {
            auto interview = interview_for(i, now);
            auto id = tx.insert(interview);
            if (!id)
              return id.error();
            interview.id = *id;
            batch.push_back(message_for(interview, i, now));
          }
          if (auto ids = tx.enqueue(batch); !ids)
            return ids.error();
          return {};
        })
        .value();
  }
}

// The one-process stores: 0 MemoryStore, 1 SQLite with synchronous FULL (the default: an
// fsync per commit), 2 SQLite with synchronous NORMAL (fsync at checkpoints).
std::shared_ptr<Store> one_process_store(int kind) {
  if (kind == 0)
    return std::make_shared<MemoryStore>();
  const auto path = std::filesystem::temp_directory_path() / "interviewkit-dispatch-bench.db";
  for (const auto* suffix : {"", "-wal", "-shm"})
    std::filesystem::remove(path.string() + suffix);
  SqliteOptions options;
  options.synchronous =
      kind == 1 ? SqliteOptions::Synchronous::full : SqliteOptions::Synchronous::normal;
  return SqliteStore::open(path, options).value();
}

const char* store_name(int kind) {
  static const char* const names[] = {"memory", "sqlite FULL", "sqlite NORMAL"};
  return names[kind];
}

// Drains until nothing is pending (other processes may hold claims for a while); returns
// the messages this dispatcher delivered.
std::size_t drain_all(Dispatcher& dispatcher, const Store& store) {
  std::size_t delivered = 0;
  while (true) {
    const auto stats = dispatcher.drain_once().value();
    delivered += stats.delivered;
    if (stats.claimed > 0)
      continue;
    if (store.count_outbox({}).value().pending == 0)
      return delivered;
    std::this_thread::sleep_for(10ms);
  }
}

double cpu_seconds(int who) {
  rusage usage{};
  getrusage(who, &usage);
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Busy and total jiffies of the whole machine (/proc/stat): with two cores shared by the
// dispatcher, the server and the database, whether the machine was saturated.
struct MachineCpu {
  double busy = 0;
  double total = 0;
  static MachineCpu now() {
    std::ifstream file("/proc/stat");
    std::string cpu;
    file >> cpu;
    MachineCpu m;
    double value = 0;
    for (int i = 0; i < 8 && file >> value; ++i) {
      m.total += value;
      if (i != 3 && i != 4)  // idle and iowait
        m.busy += value;
    }
    return m;
  }
  // Percent of all cores busy since `start`.
  [[nodiscard]] double percent_since(const MachineCpu& start) const {
    return 100 * (busy - start.busy) / std::max(1.0, total - start.total);
  }
};

// What one timed case measured, for counters and the cross-check.
struct Run {
  std::size_t delivered = 0;
  double seconds = 0;
  double dispatcher_cpu = 0;  // CPU seconds of the dispatching process(es)
  double server_cpu = 0;      // CPU seconds of the loopback server
  double machine_pct = 0;     // all cores busy, percent
};

// Baseline rates measured earlier in this run, by case, for the ratios.
std::map<std::string, double>& baseline_rates() {
  static std::map<std::string, double> rates;
  return rates;
}

// Fails the benchmark unless the server answered exactly what the store holds delivered,
// and every message was delivered.
bool verified(benchmark::State& state, const LatencyServer& server, std::uint64_t before,
              const Store& store, std::size_t expected) {
  const auto answered = server.count() - before;
  const auto counts = store.count_outbox({}).value();
  if (answered == counts.delivered && counts.delivered == expected && counts.total() == expected)
    return true;
  std::string reason;
  if (counts.dead > 0) {
    const auto dead = store.list_outbox({.state = OutboxState::dead, .limit = 1}).value();
    reason = dead.empty() ? "" : ": " + dead.front().last_error;
  }
  state.SkipWithError(
      fmt::format("server answered {} messages, store delivered {} (pending {}, dead {}{}), "
                  "expected {}",
                  answered, counts.delivered, counts.pending, counts.dead, reason, expected)
          .c_str());
  return false;
}

// Counters of one case. The baseline case of `key` (sequential, or one process) records its
// rate; a later case of the same key reports its rate over the baseline's as `ratio_name`.
void report(benchmark::State& state, const Run& run, const std::string& key, bool baseline,
            const char* ratio_name, double scale = 1) {
  const double rate = static_cast<double>(run.delivered) / run.seconds;
  state.counters["msgs_per_s"] = rate;
  state.counters["messages"] = static_cast<double>(run.delivered);
  state.counters["wall_s"] = run.seconds * scale;
  state.counters["dispatcher_cpu_pct"] = 100 * run.dispatcher_cpu / run.seconds;
  state.counters["server_cpu_pct"] = 100 * run.server_cpu / run.seconds;
  state.counters["machine_cpu_pct"] = run.machine_pct;
  if (baseline)
    baseline_rates()[key] = rate;
  else if (const auto it = baseline_rates().find(key); it != baseline_rates().end())
    state.counters[ratio_name] = rate / it->second;
}

// Delivers `count` messages from a fresh one-process store; times only the delivery.
Run deliver_once(benchmark::State& state, LatencyServer& server, int store_kind, bool concurrent,
                 int count) {
  auto store = one_process_store(store_kind);
  enqueue(*store, count);
  auto log = ActionLog::make(std::make_shared<NullSink>()).value();
  auto dispatcher =
      Dispatcher::make(store, channel_for(server, kConcurrency), log, dispatch_options(concurrent))
          .value();
  const auto before = server.count();
  const double cpu0 = cpu_seconds(RUSAGE_SELF);
  const double server0 = server.cpu_seconds();
  const auto machine0 = MachineCpu::now();
  const auto start = std::chrono::steady_clock::now();
  Run run;
  run.delivered = drain_all(*dispatcher, *store);
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  run.dispatcher_cpu = cpu_seconds(RUSAGE_SELF) - cpu0;
  run.server_cpu = server.cpu_seconds() - server0;
  run.machine_pct = MachineCpu::now().percent_since(machine0);
  state.SetIterationTime(run.seconds);
  if (!verified(state, server, before, *store, static_cast<std::size_t>(count)))
    run.delivered = 0;
  return run;
}

std::string describe(ServerKind kind, int store_kind, bool concurrent) {
  return fmt::format("{} {}, {}, {}", bench::server_name(kind), bench::protocol_name(kind),
                     store_name(store_kind),
                     concurrent ? fmt::format("concurrent {}", kConcurrency) : "sequential");
}

// The servers' own capacity, without the dispatcher, the store or the channels: `clients`
// threads each send 4 KB messages or bodies (an invite's size) with libcurl over one kept
// connection, one after another, for 3 s: the server's rate and CPU next to a client that
// costs little.
struct Upload {
  const std::string* payload = nullptr;
  std::size_t offset = 0;
};

std::size_t read_payload(char* buffer, std::size_t size, std::size_t n, void* user) {
  auto& upload = *static_cast<Upload*>(user);
  const auto chunk = std::min(size * n, upload.payload->size() - upload.offset);
  std::memcpy(buffer, upload.payload->data() + upload.offset, chunk);
  upload.offset += chunk;
  return chunk;
}

std::size_t discard(char*, std::size_t size, std::size_t n, void*) {
  return size * n;
}

// One client thread: sends until `until`; returns the transfers that succeeded.
std::uint64_t client_loop(const LatencyServer& server,
                          std::chrono::steady_clock::time_point until) {
  static const std::string payload = [] {
    std::string text = "Subject: capacity\r\n\r\n";
    for (int line = 0; line < 64; ++line)  // SMTP lines stay under 1,000 bytes
      text += std::string(62, 'x') + "\r\n";
    return text;
  }();
  CURL* easy = curl_easy_init();
  curl_slist* recipients = curl_slist_append(nullptr, "<load@example.com>");
  Upload upload{&payload, 0};
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &discard);
  const auto url =
      fmt::format("{}://127.0.0.1:{}/hook", server.smtp() ? "smtp" : "http", server.port());
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  if (server.smtp()) {
    curl_easy_setopt(easy, CURLOPT_MAIL_FROM, "<bench@example.com>");
    curl_easy_setopt(easy, CURLOPT_MAIL_RCPT, recipients);
    curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(easy, CURLOPT_READFUNCTION, &read_payload);
    curl_easy_setopt(easy, CURLOPT_READDATA, &upload);
  } else {
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, payload.c_str());
  }
  std::uint64_t ok = 0;
  while (std::chrono::steady_clock::now() < until) {
    upload.offset = 0;
    ok += curl_easy_perform(easy) == CURLE_OK ? 1 : 0;
  }
  curl_easy_cleanup(easy);
  curl_slist_free_all(recipients);
  return ok;
}

void BM_ServerCapacity(benchmark::State& state) {
  const auto kind = static_cast<ServerKind>(state.range(0));
  const auto clients = static_cast<std::size_t>(state.range(1));
  LatencyServer server(kind);
  Run run;
  for (auto _ : state) {
    const auto before = server.count();
    const double server0 = server.cpu_seconds();
    const auto machine0 = MachineCpu::now();
    const double cpu0 = cpu_seconds(RUSAGE_SELF);
    const auto start = std::chrono::steady_clock::now();
    std::atomic<std::uint64_t> ok{0};
    std::vector<std::thread> threads;
    for (std::size_t c = 0; c < clients; ++c)
      threads.emplace_back([&] { ok += client_loop(server, start + 3s); });
    for (auto& t : threads)
      t.join();
    run.delivered = ok.load();
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    run.dispatcher_cpu = cpu_seconds(RUSAGE_SELF) - cpu0;
    run.server_cpu = server.cpu_seconds() - server0;
    run.machine_pct = MachineCpu::now().percent_since(machine0);
    state.SetIterationTime(run.seconds);
    if (server.count() - before != run.delivered)
      state.SkipWithError("the server's count differs from the client's");
  }
  report(state, run, "capacity", true, "");
  state.counters.erase("dispatcher_cpu_pct");
  state.counters["client_cpu_pct"] = 100 * run.dispatcher_cpu / run.seconds;
  state.SetLabel(fmt::format("{} {}, {} libcurl client threads", bench::server_name(kind),
                             bench::protocol_name(kind), clients));
}

// (a) Steady throughput: 2,000 messages concurrent, 100 sequential (10 s at 100 ms each).
void BM_Throughput(benchmark::State& state) {
  const auto kind = static_cast<ServerKind>(state.range(0));
  const auto store_kind = static_cast<int>(state.range(1));
  const bool concurrent = state.range(2) != 0;
  const int count = concurrent ? 2000 : 100;
  LatencyServer server(kind);
  Run run;
  for (auto _ : state)
    run = deliver_once(state, server, store_kind, concurrent, count);
  report(state, run, bench::kind_name(kind), !concurrent, "x_sequential");
  state.SetLabel(describe(kind, store_kind, concurrent));
}

// (b) 10,000 reminders due at once. Sequential takes ~17 minutes at 100 ms a message: it is
// measured on 200 and its wall time scaled to 10,000 (wall_s; label says so).
void BM_Burst(benchmark::State& state) {
  const auto kind = static_cast<ServerKind>(state.range(0));
  const auto store_kind = static_cast<int>(state.range(1));
  const bool concurrent = state.range(2) != 0;
  const int count = concurrent ? kBurst : 200;
  LatencyServer server(kind);
  Run run;
  for (auto _ : state)
    run = deliver_once(state, server, store_kind, concurrent, count);
  const double scale = static_cast<double>(kBurst) / count;
  report(state, run, fmt::format("burst {}", bench::kind_name(kind)), !concurrent, "x_sequential",
         scale);
  if (concurrent && run.delivered > 0)
    state.counters["within_15s"] = run.seconds <= 15 ? 1 : 0;
  state.SetLabel(describe(kind, store_kind, concurrent) +
                 (concurrent ? "" : ", 200 measured, wall_s extrapolated to 10,000"));
}

}  // namespace

namespace {

// One dispatcher process of the PostgreSQL case: drains the shared database until nothing
// is pending, then exits 0 (1 if a delivery failed).
int worker_main(const std::string& url, const std::string& kind_name, int port) {
  auto store = PostgresStore::open({.url = url, .pool_size = 16}).value();
  const auto kind = bench::kind_named(kind_name);
  const auto channel = channel_for(LatencyServer::existing(kind, port), kConcurrency);
  auto log = ActionLog::make(std::make_shared<NullSink>()).value();
  auto dispatcher = Dispatcher::make(store, channel, log, dispatch_options(true)).value();
  const auto delivered = drain_all(*dispatcher, *store);
  std::fprintf(stderr, "worker %d delivered %zu\n", ::getpid(), delivered);
  return store->count_outbox({}).value().dead == 0 ? 0 : 1;
}

// Runs `processes` workers over `url` and waits for them; true when all exited 0.
bool run_workers(const std::string& url, const LatencyServer& server, int processes) {
  std::vector<pid_t> pids;
  for (int p = 0; p < processes; ++p)
    pids.push_back(interviewkit::testing::spawn({"/proc/self/exe", "--worker", url,
                                                 bench::kind_name(server.kind()),
                                                 std::to_string(server.port())}));
  bool ok = true;
  for (const auto pid : pids)
    ok = interviewkit::testing::wait_for(pid) == 0 && ok;
  return ok;
}

// The port of a postgresql://user@host:port/database URL.
int port_of(const std::string& url) {
  const auto slash = url.rfind('/');
  const auto colon = url.rfind(':', slash);
  return std::stoi(url.substr(colon + 1, slash - colon - 1));
}

// (c) The 10,000-reminder burst shared by 1 or 3 dispatcher processes on one PostgreSQL
// database; wall time from starting the processes until the last exits.
void BM_PostgresBurst(benchmark::State& state) {
  const auto kind = static_cast<ServerKind>(state.range(0));
  const auto processes = static_cast<int>(state.range(1));
  LatencyServer server(kind);
  Run run;
  double database_cpu = 0;  // the postmaster and its backends, sampled
  for (auto _ : state) {
    const auto url = interviewkit::testing::PostgresServer::shared().fresh_database();
    auto store = PostgresStore::open({.url = url, .pool_size = 2}).value();
    enqueue(*store, kBurst);
    const auto before = server.count();
    const double cpu0 = cpu_seconds(RUSAGE_CHILDREN);
    const double server0 = server.cpu_seconds();
    const auto machine0 = MachineCpu::now();
    bench::TreeCpu database(bench::TreeCpu::postmaster(port_of(url)));
    const auto start = std::chrono::steady_clock::now();
    const bool ok = run_workers(url, server, processes);
    database_cpu = database.seconds();
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    run.dispatcher_cpu = cpu_seconds(RUSAGE_CHILDREN) - cpu0;
    run.server_cpu = server.cpu_seconds() - server0;
    run.machine_pct = MachineCpu::now().percent_since(machine0);
    state.SetIterationTime(run.seconds);
    run.delivered = store->count_outbox({}).value().delivered;
    if (!ok)
      state.SkipWithError("a dispatcher process failed");
    else if (!verified(state, server, before, *store, kBurst))
      run.delivered = 0;
  }
  report(state, run, fmt::format("pg {}", static_cast<int>(kind)), processes == 1, "x_one_process");
  state.counters["database_cpu_pct"] = 100 * database_cpu / run.seconds;
  state.counters["within_15s"] = run.delivered > 0 && run.seconds <= 15 ? 1 : 0;
  state.SetLabel(fmt::format("{} {}, postgres, {} process{} x concurrent {}",
                             bench::server_name(kind), bench::protocol_name(kind), processes,
                             processes > 1 ? "es" : "", kConcurrency));
}

void throughput_args(benchmark::internal::Benchmark* b) {
  for (const auto kind : {ServerKind::python_smtp, ServerKind::python_http, ServerKind::fast_smtp,
                          ServerKind::fast_http})
    for (const int concurrent : {0, 1})
      b->Args({static_cast<int>(kind), 0, concurrent});
  for (const auto kind : {ServerKind::fast_smtp, ServerKind::fast_http})
    for (const int store : {1, 2})
      b->Args({static_cast<int>(kind), store, 1});
}

void burst_args(benchmark::internal::Benchmark* b) {
  for (const auto kind : {ServerKind::fast_smtp, ServerKind::fast_http}) {
    b->Args({static_cast<int>(kind), 0, 0});
    for (const int store : {0, 1, 2})
      b->Args({static_cast<int>(kind), store, 1});
  }
}

}  // namespace

BENCHMARK(BM_ServerCapacity)
    ->ArgsProduct(
        {{static_cast<int>(ServerKind::python_smtp), static_cast<int>(ServerKind::python_http),
          static_cast<int>(ServerKind::fast_smtp), static_cast<int>(ServerKind::fast_http)},
         {256, 512}})
    ->ArgNames({"server", "clients"})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseManualTime();
BENCHMARK(BM_Throughput)
    ->Apply(throughput_args)
    ->ArgNames({"server", "store", "concurrent"})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseManualTime();
BENCHMARK(BM_Burst)
    ->Apply(burst_args)
    ->ArgNames({"server", "store", "concurrent"})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseManualTime();
BENCHMARK(BM_PostgresBurst)
    ->ArgsProduct({{static_cast<int>(ServerKind::fast_smtp),
                    static_cast<int>(ServerKind::fast_http)},
                   {1, 3}})
    ->ArgNames({"server", "processes"})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseManualTime();

int main(int argc, char** argv) {
  if (argc == 5 && std::string_view(argv[1]) == "--worker")
    return worker_main(argv[2], argv[3], std::stoi(argv[4]));
  ::setenv("INTERVIEWKIT_TEST_PG_FSYNC", "on", 0);  // durable commits, like SQLite FULL
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
