// interviewctl metrics, read back by a real Prometheus text parser: the one in Debian's
// python3-prometheus-client.
#include <cstdlib>
#include <fstream>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <interviewkit/interviewkit.hpp>
#include <interviewkit/store/sqlite_store.hpp>

#include "cli/cli_runner.hpp"
#include "cli/seeded.hpp"

using namespace interviewkit;
using namespace interviewkit::testing;

namespace {

// Parses the exposition in `text_file` and writes "name type" per family and
// "sample name{labels} value" per sample to `parsed_file`; the parser's exit status.
int parse_with_prometheus_client(const std::string& text_file, const std::string& parsed_file) {
  const auto script = fmt::format(
      "import sys\n"
      "from prometheus_client.parser import text_string_to_metric_families\n"
      "out = open('{}', 'w')\n"
      "for family in text_string_to_metric_families(open('{}').read()):\n"
      "    out.write(f'{{family.name}} {{family.type}}\\n')\n"
      "    for s in family.samples:\n"
      "        labels = ','.join(f'{{k}}={{v}}' for k, v in sorted(s.labels.items()))\n"
      "        out.write(f'sample {{s.name}}{{{{{{labels}}}}}} {{s.value}}\\n')\n",
      parsed_file, text_file);
  const auto script_file = text_file + ".py";
  std::ofstream(script_file) << script;
  return std::system(fmt::format("'{}' '{}'", INTERVIEWKIT_CLI_PYTHON, script_file).c_str());
}

}  // namespace

TEST_CASE("interviewctl metrics prints what a Prometheus parser reads back", "[cli][metrics]") {
  TempDir dir("cli-metrics");
  const auto db = (dir.path() / "hiring.db").string();
  auto store = SqliteStore::open(db).value();
  (void)seed(store, store);

  Cli cli(db);
  const auto run = cli({"metrics"});
  INFO(run.err);
  REQUIRE(run.exit == 0);
  const auto text_file = (dir.path() / "metrics.prom").string();
  std::ofstream(text_file) << run.out;
  const auto parsed_file = (dir.path() / "parsed.txt").string();
  REQUIRE(parse_with_prometheus_client(text_file, parsed_file) == 0);
  const auto parsed = Cli::slurp(parsed_file);
  INFO(run.out);
  // The seeded outbox: two invites delivered, two dead.
  CHECK_THAT(parsed, Catch::Contains("interviewkit_outbox_messages gauge"));
  CHECK_THAT(parsed, Catch::Contains("sample interviewkit_outbox_messages{state=dead} 2.0"));
  CHECK_THAT(parsed, Catch::Contains("sample interviewkit_outbox_messages{state=delivered} 2.0"));
  CHECK_THAT(parsed, Catch::Contains("sample interviewkit_notifications_total{channel=default,"
                                     "kind=interview_scheduled,outcome=dead} 2.0"));

  const auto as_json = cli({"metrics", "--json"});
  REQUIRE(as_json.exit == 0);
  CHECK(as_json.json()["messages"]["dead"] == 2);
  CHECK(as_json.json()["messages"]["delivered"] == 2);
}
