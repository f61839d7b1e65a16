// requeue --dead: puts dead messages back in line, recorded against the operator as
// Dispatcher::requeue records it (a notification_requeued entry, same transaction).
#include <fmt/format.h>

#include "args.hpp"
#include "cli.hpp"
#include "database.hpp"
#include "output.hpp"

namespace interviewctl {

using namespace interviewkit;

namespace {

struct RequeueArgs {
  bool dead = false;
  std::string interview;
  std::string since;
  bool all = false;
  bool dry_run = false;
  std::string operator_name;
};

// The dead messages the selection names, in id order, every page.
std::vector<OutboxMessage> select_dead(const Database& db, const RequeueArgs& a, UtcMillis at) {
  OutboxQuery query{.state = OutboxState::dead};
  if (!a.interview.empty())
    query.interview = interview_arg(a.interview);
  // No --since is the earliest instant rather than an empty optional: GCC's TSan build
  // warns (falsely) that an optional's value may be read uninitialised.
  const auto since = a.since.empty() ? UtcMillis::min() : time_arg("--since", a.since, at);
  std::vector<OutboxMessage> selected;
  for (;;) {
    auto page = unwrap(page_outbox(*db.store, query), "listing dead messages");
    for (auto& m : page.messages) {
      if (m.updated_at >= since)
        selected.push_back(std::move(m));
    }
    if (!page.next)
      return selected;
    query.after = *page.next;
  }
}

// The entry Dispatcher::requeue writes, with the operator as actor.
ActionEntry requeue_entry(const OutboxMessage& m, const Actor& actor, UtcMillis at) {
  return ActionEntry{.time = at,
                     .action = ActionType::notification_requeued,
                     .interview = m.interview,
                     .actor = actor,
                     .from = std::nullopt,
                     .to = std::nullopt,
                     .details = {{"outbox_id", m.id.value()},
                                 {"idempotency_key", m.idempotency_key},
                                 {"previous_error", utf8_prefix(m.last_error, 2000)}}};
}

json message_summary(const OutboxMessage& m) {
  return {{"id", m.id.value()},       {"interview", m.interview.value()},
          {"recipient", m.recipient}, {"kind", std::string(to_string(m.kind))},
          {"channel", m.channel},     {"previous_error", m.last_error}};
}

void print_result(const std::vector<OutboxMessage>& done, const std::vector<OutboxId>& skipped,
                  bool dry_run) {
  Table table({"OUTBOX", "INTERVIEW", "RECIPIENT", "KIND", "CHANNEL", "LAST ERROR"});
  for (const auto& m : done) {
    table.add({fmt::format("{}", m.id), fmt::format("{}", m.interview), cell(m.recipient, 40),
               std::string(to_string(m.kind)), cell(m.channel, 20), cell(m.last_error)});
  }
  table.print("no dead messages match");
  fmt::print("\n{} {} message(s){}\n", dry_run ? "would requeue" : "requeued", done.size(),
             dry_run ? " (dry run: nothing changed)" : "");
  if (!skipped.empty())
    fmt::print("{} message(s) were no longer dead and were left alone\n", skipped.size());
}

ExitCode run_requeue(const Context& context, const RequeueArgs& a) {
  const auto at = now();
  // A dry run records nothing, so it needs no operator.
  const auto actor = a.dry_run && a.operator_name.empty()
                         ? std::optional<Actor>{}
                         : std::optional(operator_actor(a.operator_name));
  const auto db = open_database(context.globals.db);
  auto selected = select_dead(db, a, at);
  std::vector<OutboxMessage> done;
  std::vector<OutboxId> skipped;
  for (auto& m : selected) {
    if (!a.dry_run) {
      const auto entry = requeue_entry(m, *actor, at);
      const bool requeued = unwrap(db.store->requeue(m.id, at, std::span(&entry, 1)),
                                   fmt::format("requeueing outbox message {}", m.id));
      if (!requeued) {
        skipped.push_back(m.id);
        continue;
      }
    }
    done.push_back(std::move(m));
  }
  if (context.globals.json) {
    json list = json::array();
    for (const auto& m : done)
      list.push_back(message_summary(m));
    json skipped_ids = json::array();
    for (const auto id : skipped)
      skipped_ids.push_back(id.value());
    print_json({{"dry_run", a.dry_run},
                {"operator", actor ? json(actor->id()) : json(nullptr)},
                {"requeued", std::move(list)},
                {"skipped", std::move(skipped_ids)}});
  } else {
    print_result(done, skipped, a.dry_run);
  }
  return ExitCode::ok;
}

}  // namespace

void add_requeue_command(CLI::App& app, Context& context) {
  auto a = std::make_shared<RequeueArgs>();
  auto* cmd = app.add_subcommand(
      "requeue", "Put dead messages back in line (due now, attempts reset), recorded");
  cmd->add_flag("--dead", a->dead, "Requeue dead messages (the only kind that can be)")->required();
  auto* by_interview =
      cmd->add_option("--interview", a->interview, "Those of one interview")->check(id_check());
  auto* by_time =
      cmd->add_option("--since", a->since, "Those given up since this time")->check(time_check());
  auto* all = cmd->add_flag("--all", a->all, "Every dead message");
  all->excludes(by_interview)->excludes(by_time);
  cmd->add_flag("--dry-run", a->dry_run, "Only show what would be requeued");
  cmd->add_option("--operator", a->operator_name,
                  "Who is doing this, for the action log (default: $USER)");
  cmd->footer(
      "Choose the messages with --interview ID, --since T (both may be combined) or --all.\n"
      "Examples:\n  interviewctl requeue --dead --interview 42 --dry-run\n"
      "  interviewctl requeue --dead --since 2h --operator alice\n"
      "  interviewctl requeue --dead --all --operator alice --json");
  cmd->callback([&context, a] {
    if (a->interview.empty() && a->since.empty() && !a->all)
      usage_error("requeue: choose the messages with --interview ID, --since T or --all");
    context.exit = run_requeue(context, *a);
  });
}

}  // namespace interviewctl
