// status ID: where an interview stands; history ID: what happened to it, from the action log.
#include <fmt/format.h>

#include "args.hpp"
#include "cli.hpp"
#include "database.hpp"
#include "output.hpp"

namespace interviewctl {

using namespace interviewkit;

namespace {

Interview load_interview(const Database& db, InterviewId id) {
  return unwrap(db.store->find(id), fmt::format("interview {}", id));
}

std::string slot_text(const std::optional<TimeRange>& slot) {
  if (!slot)
    return "-";
  return fmt::format("{} .. {}", time_cell(UtcMillis{slot->start()}),
                     time_cell(UtcMillis{slot->end()}));
}

void print_status(const Interview& i) {
  fmt::print("interview  {}  {}\n", i.id, cell(i.title));
  fmt::print("status     {} (version {})\n", to_string(i.status), i.version);
  fmt::print("slot       {}\n", slot_text(i.slot));
  fmt::print("meeting    {}\n", cell(i.meeting_link, 200));
  Table people({"ROLE", "ID", "NAME", "EMAIL", "TIME ZONE"});
  people.add({"candidate", i.candidate.id.str(), cell(i.candidate.person.name()),
              i.candidate.person.email().str(),
              std::string(i.candidate.person.time_zone().name())});
  for (const auto& p : i.interviewers) {
    people.add({"interviewer", p.id.str(), cell(p.person.name()), p.person.email().str(),
                std::string(p.person.time_zone().name())});
  }
  fmt::print("\n");
  people.print();
  fmt::print("\ncreated {}, last changed {}\n", time_cell(UtcMillis{i.created_at}),
             time_cell(UtcMillis{i.updated_at}));
}

ExitCode run_status(const Context& context, const std::string& id_text) {
  const auto id = interview_arg(id_text);
  const auto db = open_database(context.globals.db);
  const auto interview = load_interview(db, id);
  if (context.globals.json)
    print_json(interview_json(interview));
  else
    print_status(interview);
  return ExitCode::ok;
}

std::string change_text(const ActionEntry& e) {
  if (!e.from && !e.to)
    return "-";
  return fmt::format("{} -> {}", e.from ? to_string(*e.from) : "-", e.to ? to_string(*e.to) : "-");
}

ExitCode run_history(const Context& context, const std::string& id_text) {
  const auto id = interview_arg(id_text);
  const auto db = open_database(context.globals.db);
  auto entries = unwrap(db.actions->query_actions({.interview = id}),
                        fmt::format("reading the action log of interview {}", id));
  if (entries.empty())
    (void)load_interview(db, id);  // an unknown interview is "not found", not an empty log
  if (context.globals.json) {
    json out = json::array();
    for (const auto& e : entries)
      out.push_back(action_json(e));
    print_json(out);
    return ExitCode::ok;
  }
  Table table({"TIME", "ACTION", "ACTOR", "STATUS", "DETAILS"});
  for (const auto& e : entries) {
    table.add({time_cell(e.time), std::string(to_string(e.action)), fmt::format("{}", e.actor),
               change_text(e),
               cell(e.details.json().dump(-1, ' ', false, json::error_handler_t::replace), 80)});
  }
  table.print("(no entries)");
  return ExitCode::ok;
}

}  // namespace

void add_status_commands(CLI::App& app, Context& context) {
  auto id = std::make_shared<std::string>();
  auto* status = app.add_subcommand("status", "An interview: status, version, slot and people");
  status->add_option("ID", *id, "Interview id")->required()->check(id_check());
  status->footer("Example:\n  interviewctl status 42 --json");
  status->callback([&context, id] { context.exit = run_status(context, *id); });

  auto history_id = std::make_shared<std::string>();
  auto* history = app.add_subcommand(
      "history", "An interview's timeline from the action log: changes, attempts, requeues");
  history->add_option("ID", *history_id, "Interview id")->required()->check(id_check());
  history->footer("Example:\n  interviewctl history 42");
  history->callback([&context, history_id] { context.exit = run_history(context, *history_id); });
}

}  // namespace interviewctl
