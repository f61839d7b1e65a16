// Email throughput: messages per second delivered through the dispatcher to a local SMTP
// server (aiosmtpd on loopback), reusing one connection per pass versus one per message;
// and the cost of rendering one message (template + iCalendar + MIME).
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <interviewkit/channels.hpp>
#include <interviewkit/interviewkit.hpp>

#include "bench_support.hpp"
#include "support/python_server.hpp"

using namespace interviewkit;
using namespace std::chrono_literals;
using bench::NullSink;

namespace {

Notification sample(int i) {
  const auto start =
      date::floor<std::chrono::seconds>(SystemClock{}.now()) + std::chrono::hours{240};
  Interview interview{
      .id = InterviewId{static_cast<std::uint64_t>(i + 1)},
      .title = "Systems design",
      .candidate = {CandidateId::make(fmt::format("cand-{}", i)).value(),
                    Participant::make("Zoë Ñúñez", fmt::format("cand-{}@example.com", i),
                                      "Asia/Kathmandu")
                        .value()},
      .interviewers =
          {{InterviewerId::make("ann").value(),
            Participant::make("Ann O'Brien", "ann@example.com", "America/New_York").value()}},
      .slot = TimeRange::make(start, 1h).value(),
      .status = InterviewStatus::scheduled,
      .version = 2,
      .meeting_link = "https://meet.example.com/r/abc",
      .created_at = start - std::chrono::hours{48},
      .updated_at = start - std::chrono::hours{48},
  };
  auto recipient = Recipient::of(interview.candidate);
  auto key =
      make_idempotency_key(interview.id, 2, recipient, NotificationKind::interview_scheduled);
  return {NotificationKind::interview_scheduled, recipient, interview, std::nullopt, "", key};
}

void BM_RenderEmail(benchmark::State& state) {
  const auto n = sample(0);
  const DeliveryContext context{std::chrono::steady_clock::now() + 1h, 1, "tokentokentoken"};
  EmailOptions options{.test_mode = true};
  for (auto _ : state) {
    auto message = render_email(n, context, options, SystemClock{}.now());
    benchmark::DoNotOptimize(message);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_SmtpDispatch(benchmark::State& state) {
  const bool reuse = state.range(0) != 0;
  constexpr int messages = 1000;
  interviewkit::testing::PythonServer server("smtp_server.py");
  SmtpOptions options{.email = {.test_mode = true}};
  options.url = fmt::format("smtp://127.0.0.1:{}", server.port());
  options.starttls = SmtpOptions::StartTls::off;
  options.reuse_connection = reuse;
  auto smtp = SmtpNotifier::make(options).value();
  auto log = ActionLog::make(std::make_shared<NullSink>()).value();
  for (auto _ : state) {
    state.PauseTiming();
    auto store = std::make_shared<MemoryStore>();
    DispatcherOptions dispatch;
    dispatch.batch_size = 100;
    auto dispatcher = Dispatcher::make(store, smtp, log, dispatch).value();
    (void)store->write([&](StoreTransaction& tx) -> Result<void> {
      std::vector<OutboxMessage> batch;
      for (int i = 0; i < messages; ++i) {
        const auto n = sample(i);
        Interview stored = n.interview;
        auto id = tx.insert(stored);
        if (!id)
          return id.error();
        auto payload = n;
        payload.interview.id = *id;
        batch.push_back(OutboxMessage{.idempotency_key = fmt::format("k{}", i),
                                      .interview = *id,
                                      .payload = nlohmann::json(payload),
                                      .message_token = fmt::format("tok{}", i),
                                      .due = SystemClock{}.now()});
      }
      if (auto ids = tx.enqueue(batch); !ids)
        return ids.error();
      return {};
    });
    state.ResumeTiming();
    std::size_t delivered = 0;
    while (delivered < messages) {
      const auto stats = dispatcher->drain_once().value();
      if (stats.claimed == 0)
        break;
      delivered += stats.delivered;
    }
    if (delivered != messages)
      state.SkipWithError("not every message was delivered");
  }
  state.SetItemsProcessed(state.iterations() * messages);
  state.SetLabel(reuse ? "one connection per pass" : "one connection per message");
}

}  // namespace

BENCHMARK(BM_RenderEmail)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SmtpDispatch)
    ->Arg(1)
    ->Arg(0)
    ->ArgName("reuse")
    ->Unit(benchmark::kMillisecond)
    ->Iterations(2)
    ->UseRealTime();

BENCHMARK_MAIN();
