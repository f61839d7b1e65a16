// fate ID, failures --since T, reconcile --since T: which notifications never arrived, and why.
#include <algorithm>

#include <fmt/format.h>

#include <interviewkit/outbox/fate.hpp>

#include "args.hpp"
#include "cli.hpp"
#include "config.hpp"
#include "database.hpp"
#include "output.hpp"

namespace interviewctl {

using namespace interviewkit;

namespace {

// What the BookingService was configured with, so the expected notifications are right.
struct PolicyArgs {
  std::vector<std::string> channels;
  std::string config;
};

std::vector<std::string> channel_names(const PolicyArgs& args) {
  if (!args.channels.empty())
    return args.channels;
  if (!args.config.empty())
    return config_channel_names(args.config);
  return {};  // each interview against the channels its own messages use
}

Reconciler make_reconciler(const Database& db, const PolicyArgs& args) {
  ReconcileOptions options;
  options.channels = channel_names(args);
  return unwrap(Reconciler::make(db.store, std::move(options)), "setting up reconciliation");
}

void add_policy_options(CLI::App& command, PolicyArgs& args) {
  command.add_option(
      "--channel", args.channels,
      "A channel the booking service enqueues for (repeat for several; "
      "default: the --config file's channels, else the channels each interview's own "
      "messages use)");
  command.add_option("--config", args.config, "Dispatch config file whose channels to expect")
      ->check(CLI::ExistingFile);
}

void print_fate_table(const InterviewFate& fate, std::size_t gaps) {
  Table table({"REV", "RECIPIENT", "KIND", "CHANNEL", "FATE", "OUTBOX", "DUE", "TRIES", "DETAIL"});
  for (const auto& n : fate.notifications) {
    table.add({fmt::format("{}{}", n.revision, n.required ? "*" : ""), cell(n.recipient, 40),
               std::string(to_string(n.kind)), cell(n.channel, 20), std::string(to_string(n.fate)),
               n.outbox ? fmt::format("{}", *n.outbox) : "-", time_cell(n.due),
               fmt::format("{}", n.attempts), cell(n.detail)});
  }
  fmt::print("interview {}: {}, revision {}\n\n", fate.interview, to_string(fate.status),
             fate.current_revision);
  table.print("(no notifications)");
  fmt::print("\n* required for the current revision\n");
  if (fate.complete())
    fmt::print("complete: every required notification was delivered\n");
  else if (gaps == 0)
    fmt::print("on track: required notifications not yet delivered are not yet due\n");
  else
    fmt::print("PROBLEM: {} required notification(s) missing, given up, or overdue\n", gaps);
}

ExitCode run_fate(const Context& context, const std::string& id_text, const PolicyArgs& args) {
  const auto id = interview_arg(id_text);
  const auto db = open_database(context.globals.db);
  const auto reconciler = make_reconciler(db, args);
  const auto fate = unwrap(reconciler.fate(id), fmt::format("interview {}", id));
  const auto gaps = reconciler.gaps(fate).size();  // judged as reconcile judges them
  if (context.globals.json) {
    json notifications = json::array();
    for (const auto& n : fate.notifications)
      notifications.push_back(fate_json(n));
    print_json({{"interview", fate.interview.value()},
                {"status", std::string(to_string(fate.status))},
                {"current_revision", fate.current_revision},
                {"complete", fate.complete()},
                {"gaps", gaps},
                {"notifications", std::move(notifications)}});
  } else {
    print_fate_table(fate, gaps);
  }
  return gaps == 0 ? ExitCode::ok : ExitCode::bad_answer;
}

void print_gaps(const std::vector<DeliveryGap>& gaps) {
  Table table({"INTERVIEW", "RECIPIENT", "KIND", "CHANNEL", "FATE", "OVERDUE", "TRIES", "WHY"});
  for (const auto& g : gaps) {
    const auto& n = g.notification;
    table.add({fmt::format("{}", g.interview), cell(n.recipient, 40),
               std::string(to_string(n.kind)), cell(n.channel, 20), std::string(to_string(n.fate)),
               duration_cell(g.overdue), fmt::format("{}", n.attempts), cell(n.detail)});
  }
  table.print("no gaps: every required notification was delivered or is not yet due");
}

json gaps_json(const std::vector<DeliveryGap>& gaps) {
  json out = json::array();
  for (const auto& g : gaps)
    out.push_back(gap_json(g));
  return out;
}

struct RangeArgs {
  std::string since;
  std::string until;
};

ExitCode run_reconcile(const Context& context, const RangeArgs& range, const PolicyArgs& args) {
  const auto at = now();
  const auto since = time_arg("--since", range.since, at);
  const auto until = range.until.empty() ? at : time_arg("--until", range.until, at);
  if (until < since)
    usage_error("--until is before --since");
  const auto db = open_database(context.globals.db);
  const auto gaps = unwrap(make_reconciler(db, args).reconcile(since, until), "reconciling");
  if (context.globals.json) {
    print_json(
        {{"since", time_json(since)}, {"until", time_json(until)}, {"gaps", gaps_json(gaps)}});
  } else {
    fmt::print("interviews changed {} .. {}\n\n", time_cell(since), time_cell(until));
    print_gaps(gaps);
  }
  return gaps.empty() ? ExitCode::ok : ExitCode::bad_answer;
}

// Every dead message last changed at or after `since`, all pages.
std::vector<OutboxMessage> dead_since(const Database& db, UtcMillis since) {
  std::vector<OutboxMessage> dead;
  OutboxQuery query{.state = OutboxState::dead};
  for (;;) {
    auto page = unwrap(page_outbox(*db.store, query), "listing dead messages");
    for (auto& m : page.messages) {
      if (m.updated_at >= since)
        dead.push_back(std::move(m));
    }
    if (!page.next)
      return dead;
    query.after = *page.next;
  }
}

void print_dead(const std::vector<OutboxMessage>& dead) {
  Table table(
      {"OUTBOX", "INTERVIEW", "RECIPIENT", "KIND", "CHANNEL", "DEAD SINCE", "TRIES", "LAST ERROR"});
  for (const auto& m : dead) {
    table.add({fmt::format("{}", m.id), fmt::format("{}", m.interview), cell(m.recipient, 40),
               std::string(to_string(m.kind)), cell(m.channel, 20), time_cell(m.updated_at),
               fmt::format("{}", m.attempts), cell(m.last_error)});
  }
  table.print("no dead messages");
}

ExitCode run_failures(const Context& context, const std::string& since_text,
                      const PolicyArgs& args) {
  const auto at = now();
  const auto since = time_arg("--since", since_text, at);
  const auto db = open_database(context.globals.db);
  const auto gaps = unwrap(make_reconciler(db, args).reconcile(since, at), "reconciling");
  const auto dead = dead_since(db, since);
  if (context.globals.json) {
    json dead_json = json::array();
    for (const auto& m : dead)
      dead_json.push_back(outbox_json(m, false));
    print_json({{"since", time_json(since)},
                {"until", time_json(at)},
                {"gaps", gaps_json(gaps)},
                {"dead", std::move(dead_json)}});
  } else {
    fmt::print("Required notifications not delivered (interviews changed since {}):\n\n",
               time_cell(since));
    print_gaps(gaps);
    fmt::print("\nDead messages (given up since {}; 'interviewctl requeue' puts them back):\n\n",
               time_cell(since));
    print_dead(dead);
  }
  return gaps.empty() && dead.empty() ? ExitCode::ok : ExitCode::bad_answer;
}

void add_fate(CLI::App& app, Context& context) {
  auto id = std::make_shared<std::string>();
  auto args = std::make_shared<PolicyArgs>();
  auto* cmd = app.add_subcommand(
      "fate", "Where every notification of an interview stands, newest revision first");
  cmd->add_option("ID", *id, "Interview id")->required()->check(id_check());
  add_policy_options(*cmd, *args);
  cmd->footer(
      "Exit 1 when a required notification of the current revision is missing, dead, expired "
      "or overdue; 0 when each was delivered or is not yet due.\nExamples:\n  interviewctl fate "
      "42\n  interviewctl fate 42 --channel email "
      "--channel webhook --json");
  cmd->callback([&context, id, args] { context.exit = run_fate(context, *id, *args); });
}

}  // namespace

void add_fate_commands(CLI::App& app, Context& context) {
  add_fate(app, context);

  auto range = std::make_shared<RangeArgs>();
  auto args = std::make_shared<PolicyArgs>();
  auto* rec = app.add_subcommand(
      "reconcile", "Expected vs actual: required notifications not delivered, and why");
  rec->add_option("--since", range->since, "Interviews changed from this time")
      ->required()
      ->check(time_check());
  rec->add_option("--until", range->until, "... up to this time (default: now)")
      ->check(time_check());
  add_policy_options(*rec, *args);
  rec->footer(
      "Exit 1 when there are gaps.\nExamples:\n  interviewctl reconcile --since 24h\n"
      "  interviewctl reconcile --since 2026-11-01T00:00:00Z --until 2026-11-08T00:00:00Z --json");
  rec->callback([&context, range, args] { context.exit = run_reconcile(context, *range, *args); });

  auto since = std::make_shared<std::string>();
  auto fargs = std::make_shared<PolicyArgs>();
  auto* failures = app.add_subcommand(
      "failures", "Dead, expired and overdue notifications since a time, and dead messages");
  failures->add_option("--since", *since, "From this time")->required()->check(time_check());
  add_policy_options(*failures, *fargs);
  failures->footer(
      "Exit 1 when there is anything to show.\nExample:\n  interviewctl failures --since 7d");
  failures->callback(
      [&context, since, fargs] { context.exit = run_failures(context, *since, *fargs); });
}

}  // namespace interviewctl
