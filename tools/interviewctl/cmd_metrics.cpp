// metrics: the store's delivery figures in the Prometheus text exposition format.
#include <cstdio>

#include <interviewkit/outbox/metrics.hpp>

#include "args.hpp"
#include "cli.hpp"
#include "database.hpp"

namespace interviewctl {

using namespace interviewkit;

namespace {

ExitCode run_metrics(const Context& context) {
  const auto db = open_database(context.globals.db);
  const auto snapshot = unwrap(store_metrics(*db.store, now()), "reading the metrics");
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
