// Domain values are shared across threads in every host: validate that under TSan.
#include <atomic>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include <interviewkit/domain/clock.hpp>
#include <interviewkit/domain/participant.hpp>
#include <interviewkit/domain/status.hpp>

using namespace interviewkit;

TEST_CASE("validation and the tz database can be used from many threads at once",
          "[domain][concurrency]") {
  constexpr int threads = 8;
  std::atomic<int> ok{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        auto p = Participant::make("Ann", "ann@example.com",
                                   t % 2 == 0 ? "America/New_York" : "Asia/Kathmandu");
        auto s = parse_interview_status("confirmed");
        if (p && s && *s == InterviewStatus::confirmed)
          ok.fetch_add(1);
      }
    });
  }
  for (auto& th : pool)
    th.join();
  CHECK(ok.load() == threads * 50);
}

TEST_CASE("a manual clock can be moved while others read it", "[domain][concurrency]") {
  ManualClock clock{UtcMillis{}};
  std::thread writer([&] {
    for (int i = 0; i < 1000; ++i)
      clock.advance(std::chrono::milliseconds{1});
  });
  UtcMillis last{};
  bool monotonic = true;
  for (int i = 0; i < 1000; ++i) {
    const auto now = clock.now();
    monotonic = monotonic && now >= last;
    last = now;
  }
  writer.join();
  CHECK(monotonic);
  CHECK(clock.now() == UtcMillis{std::chrono::milliseconds{1000}});
}
