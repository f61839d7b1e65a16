// outbox ls (filtered, paged with a cursor) and outbox show ID (one message with payload).
#include <fmt/format.h>

#include "args.hpp"
#include "cli.hpp"
#include "database.hpp"
#include "output.hpp"

namespace interviewctl {

using namespace interviewkit;

namespace {

struct ListArgs {
  std::string state;
  std::string due_before;
  std::string kind;
  std::string recipient;
  std::string channel;
  std::string interview;
  std::string after;
  std::size_t limit = 50;
};

OutboxQuery make_query(const ListArgs& a) {
  OutboxQuery query;
  if (!a.state.empty())
    query.state = unwrap(parse_outbox_state(a.state), "--state");
  if (!a.kind.empty())
    query.kind = unwrap(parse_notification_kind(a.kind), "--kind");
  if (!a.due_before.empty())
    query.due_before = time_arg("--due-before", a.due_before, now());
  if (!a.recipient.empty())
    query.recipient = a.recipient;
  if (!a.channel.empty())
    query.channel = a.channel;
  if (!a.interview.empty())
    query.interview = interview_arg(a.interview);
  if (!a.after.empty())
    query.after = outbox_arg(a.after);
  query.limit = a.limit;
  return query;
}

void print_page(const OutboxPage& page) {
  Table table({"ID", "INTERVIEW", "REV", "RECIPIENT", "KIND", "CHANNEL", "STATE", "DUE", "TRIES",
               "LAST ERROR"});
  for (const auto& m : page.messages) {
    table.add({fmt::format("{}", m.id), fmt::format("{}", m.interview),
               fmt::format("{}", m.revision), cell(m.recipient, 40),
               m.unreadable.empty() ? std::string(to_string(m.kind)) : "(unreadable)",
               cell(m.channel, 20), std::string(to_string(m.state)), time_cell(m.due),
               fmt::format("{}", m.attempts), cell(m.last_error, 50)});
  }
  table.print("(no messages)");
  if (page.next)
    fmt::print("\nmore: add --after {}\n", *page.next);
}

ExitCode run_list(const Context& context, const ListArgs& args) {
  const auto query = make_query(args);
  const auto db = open_database(context.globals.db);
  const auto page = unwrap(page_outbox(*db.store, query), "listing the outbox");
  if (context.globals.json) {
    json messages = json::array();
    for (const auto& m : page.messages)
      messages.push_back(outbox_json(m, false));
    print_json({{"messages", std::move(messages)},
                {"next_cursor", page.next ? json(page.next->value()) : json(nullptr)}});
  } else {
    print_page(page);
  }
  return ExitCode::ok;
}

void print_message(const OutboxMessage& m) {
  Table table({"FIELD", "VALUE"});
  const auto j = outbox_json(m, false);
  for (const auto& [key, value] : j.items())
    table.add({key, value.is_string() ? cell(value.get<std::string>(), 200) : cell(value.dump())});
  table.print();
  fmt::print("\npayload:\n{}\n",
             m.payload.json().dump(2, ' ', false, json::error_handler_t::replace));
}

ExitCode run_show(const Context& context, const std::string& id_text) {
  const auto id = outbox_arg(id_text);
  const auto db = open_database(context.globals.db);
  const auto message = unwrap(db.store->find_outbox(id), fmt::format("outbox message {}", id));
  if (!message)
    throw CommandFailed(ExitCode::not_found, fmt::format("no outbox message {}", id));
  if (context.globals.json)
    print_json(outbox_json(*message, true));
  else
    print_message(*message);
  return ExitCode::ok;
}

void add_list(CLI::App& outbox, Context& context) {
  auto a = std::make_shared<ListArgs>();
  auto* ls = outbox.add_subcommand("ls", "List messages, filtered, one page at a time");
  ls->add_option("--state", a->state, "pending, delivered, dead or expired");
  ls->add_option("--due-before", a->due_before, "Due strictly before this time")
      ->check(time_check());
  ls->add_option("--kind", a->kind, "Notification kind, e.g. interview_scheduled");
  ls->add_option("--recipient", a->recipient, "Recipient key, e.g. candidate:c-1");
  ls->add_option("--channel", a->channel, "Channel name");
  ls->add_option("--interview", a->interview, "Interview id")->check(id_check());
  ls->add_option("--after", a->after, "Cursor: the next_cursor of the previous page")
      ->check(id_check());
  ls->add_option("--limit", a->limit, "Messages per page (1..10000)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{10000}));
  ls->footer(
      "Examples:\n  interviewctl outbox ls --state dead\n"
      "  interviewctl outbox ls --state pending --due-before 1h --kind interview_scheduled\n"
      "  interviewctl outbox ls --interview 42 --limit 10 --after 120 --json");
  ls->callback([&context, a] { context.exit = run_list(context, *a); });
}

}  // namespace

void add_outbox_commands(CLI::App& app, Context& context) {
  auto* outbox = app.add_subcommand("outbox", "Look into the outbox: ls, show");
  outbox->require_subcommand(1);
  add_list(*outbox, context);
  auto id = std::make_shared<std::string>();
  auto* show = outbox->add_subcommand("show", "One message, with its payload");
  show->add_option("ID", *id, "Outbox message id")->required()->check(id_check());
  show->footer("Example:\n  interviewctl outbox show 120 --json");
  show->callback([&context, id] { context.exit = run_show(context, *id); });
}

}  // namespace interviewctl
