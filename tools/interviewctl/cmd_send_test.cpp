// send-test --to ADDRESS: renders a sample invite and sends it through one configured
// channel, printing the receiver's reply: the "send a test email" step of a setup.
#include <random>

#include <fmt/format.h>

#include "cli.hpp"
#include "config.hpp"
#include "output.hpp"

namespace interviewctl {

using namespace interviewkit;

#ifdef INTERVIEWCTL_WITH_CHANNELS

namespace {

struct SendArgs {
  std::string to;
  std::string config;
  std::string channel;
};

// The one channel to use: --channel, or the config's only one.
ChannelConfig pick_channel(const DispatchConfig& config, const std::string& wanted) {
  std::string names;
  for (const auto& c : config.channels) {
    if (c.name == wanted || (wanted.empty() && config.channels.size() == 1))
      return c;
    names += (names.empty() ? "" : ", ") + c.name;
  }
  if (wanted.empty())
    usage_error(fmt::format(
        "send-test: the config has several channels; pick one with --channel ({})", names));
  usage_error(fmt::format("send-test: no channel '{}' in the config (it has: {})", wanted, names));
}

// A scheduled interview tomorrow, on the hour, for the address under test.
Notification sample_invite(const std::string& to, UtcMillis at) {
  const auto start = date::floor<std::chrono::hours>(at) + std::chrono::hours{24};
  const auto day = date::floor<std::chrono::seconds>(start);
  Interview interview{
      .id = InterviewId{1},
      .title = "interviewctl send-test",
      .candidate = Candidate{unwrap(CandidateId::make("send-test"), "sample"),
                             unwrap(Participant::make("Test Recipient", to, "UTC"), "--to")},
      .interviewers = {Interviewer{
          unwrap(InterviewerId::make("send-test-interviewer"), "sample"),
          unwrap(Participant::make("Sample Interviewer", "interviewer@example.com", "UTC"),
                 "sample")}},
      .slot = unwrap(TimeRange::make(day, std::chrono::minutes{45}), "sample"),
      .status = InterviewStatus::scheduled,
      .version = 1,
      .meeting_link = "https://meet.example.com/interviewctl-send-test",
      .created_at = date::floor<std::chrono::seconds>(at),
      .updated_at = date::floor<std::chrono::seconds>(at)};
  const auto recipient = Recipient::of(interview.candidate);
  return Notification{
      NotificationKind::interview_scheduled,
      recipient,
      interview,
      std::nullopt,
      {},
      make_idempotency_key(interview.id, 1, recipient, NotificationKind::interview_scheduled) +
          fmt::format("/send-test/{}", at.time_since_epoch().count())};
}

std::string random_token() {
  static constexpr std::string_view alphabet =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::random_device device;
  std::string token = "sendtest-";
  for (int i = 0; i < 20; ++i)
    token += alphabet[device() % alphabet.size()];
  return token;
}

ExitCode run_send_test(const Context& context, const SendArgs& a) {
  if (!EmailAddress::make(a.to))
    usage_error(fmt::format("--to: '{}' is not an email address", a.to));
  const auto config = load_config(a.config);
  const auto channel = pick_channel(config, a.channel);
  auto notifier = build_channels(DispatchConfig{{channel}, {}}).begin()->second;
  const auto at = SystemClock{}.now();
  const DeliveryContext delivery{std::chrono::steady_clock::now() + std::chrono::seconds{60}, 1,
                                 random_token()};
  // In a batch, as the dispatcher sends: the reply printed is the server's answer to the
  // message (SMTP's 250), not to the QUIT that ends a one-off exchange.
  notifier->begin_batch();
  const auto outcome = notifier->deliver(sample_invite(a.to, at), delivery);
  notifier->end_batch();
  if (context.globals.json) {
    print_json({{"channel", channel.name},
                {"destination", notifier->destination()},
                {"to", a.to},
                {"delivered", outcome.ok()},
                {"retryable", outcome.retryable},
                {"detail", outcome.detail}});
  } else {
    fmt::print("{} via {} ({}): {}\n", outcome.ok() ? "delivered" : "FAILED", channel.name,
               notifier->destination(),
               outcome.detail.empty() ? "(no reply text)" : outcome.detail);
  }
  return outcome.ok() ? ExitCode::ok : ExitCode::delivery_failed;
}

}  // namespace

void add_send_test_command(CLI::App& app, Context& context) {
  auto a = std::make_shared<SendArgs>();
  auto* cmd = app.add_subcommand(
      "send-test", "Send a sample invite through a configured channel; print the reply");
  cmd->add_option("--to", a->to, "Address to send the sample invite to")->required();
  cmd->add_option("--config", a->config, "Dispatch config file (JSON)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--channel", a->channel, "Channel to use (needed when the config has several)");
  cmd->footer(
      "Exit 5 when the channel did not deliver.\nExample:\n"
      "  SMTP_PASSWORD=... interviewctl send-test --to me@example.com --config dispatch.json");
  cmd->callback([&context, a] { context.exit = run_send_test(context, *a); });
}

#else

void add_send_test_command(CLI::App& app, Context& context) {
  auto* cmd = app.add_subcommand("send-test", "(not in this build: needs the channels component)");
  cmd->allow_extras();
  cmd->callback([&context] {
    usage_error("send-test: this interviewctl was built without the channels component");
    (void)context;
  });
}

#endif

}  // namespace interviewctl
