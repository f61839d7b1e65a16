// metrics: the store's delivery figures in the Prometheus text exposition format, or as
// JSON with --json.
#include <cstdio>

#include <interviewkit/outbox/metrics.hpp>

#include "args.hpp"
#include "cli.hpp"
#include "database.hpp"
#include "output.hpp"

namespace interviewctl {

using namespace interviewkit;

namespace {

json metrics_json(const MetricsSnapshot& m) {
  json messages = json::object();
  for (const auto& [state, count] : m.messages)
    messages[std::string(to_string(state))] = count;
  json outcomes = json::array();
  for (const auto& [key, c] : m.outcomes) {
    outcomes.push_back({{"channel", key.first},
                        {"kind", std::string(to_string(key.second))},
                        {"delivered", c.delivered},
                        {"failed", c.failed},
                        {"dead", c.dead},
                        {"expired", c.expired},
                        {"superseded", c.superseded}});
  }
  return {{"messages", std::move(messages)},
          {"due_messages", m.due_messages},
          {"oldest_due_age_seconds",
           m.oldest_due_age_seconds ? json(*m.oldest_due_age_seconds) : json(nullptr)},
          {"outcomes", std::move(outcomes)}};
}

ExitCode run_metrics(const Context& context) {
  const auto db = open_database(context.globals.db);
  const auto snapshot = unwrap(store_metrics(*db.store, now()), "reading the metrics");
  if (context.globals.json) {
    print_json(metrics_json(snapshot));
    return ExitCode::ok;
  }
  const auto text = render_prometheus(snapshot);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return ExitCode::ok;
}

}  // namespace

void add_metrics_command(CLI::App& app, Context& context) {
  auto* cmd = app.add_subcommand(
      "metrics", "Outbox figures in the Prometheus text format (for a textfile collector)");
  cmd->footer(
      "Example (node_exporter's textfile collector):\n"
      "  interviewctl metrics > /var/lib/node_exporter/interviewkit.prom.tmp &&\n"
      "    mv /var/lib/node_exporter/interviewkit.prom.tmp "
      "/var/lib/node_exporter/interviewkit.prom");
  cmd->callback([&context] { context.exit = run_metrics(context); });
}

}  // namespace interviewctl
