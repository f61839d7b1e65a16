// Stores: SqliteStore (one file, the embedded default) and PostgresStore (shared by many
// servers), behind the common `Store` base, plus the outbox rows a host reads to see what
// became of a notification. Every call that touches the database releases the GIL.
#include <fmt/format.h>

#include <interviewkit/store/store.hpp>
#include <interviewkit/store/store_sink.hpp>

#include "bindings.hpp"
#include "json.hpp"
#ifdef INTERVIEWKIT_PY_SQLITE
#include <interviewkit/store/sqlite_store.hpp>
#endif
#ifdef INTERVIEWKIT_PY_POSTGRES
#include <interviewkit/store/postgres_store.hpp>
#endif

namespace interviewkit::python {
namespace {

constexpr auto release = py::call_guard<py::gil_scoped_release>();

void bind_outbox_message(py::module_& m) {
  py::class_<OutboxMessage>(m, "OutboxMessage")
      .def_readonly("id", &OutboxMessage::id)
      .def_readonly("idempotency_key", &OutboxMessage::idempotency_key)
      .def_readonly("interview", &OutboxMessage::interview)
      .def_readonly("kind", &OutboxMessage::kind)
      .def_readonly("channel", &OutboxMessage::channel)
      .def_readonly("recipient", &OutboxMessage::recipient)
      .def_readonly("revision", &OutboxMessage::revision)
      .def_readonly("message_token", &OutboxMessage::message_token)
      .def_readonly("due", &OutboxMessage::due)
      .def_readonly("attempts", &OutboxMessage::attempts)
      .def_readonly("last_error", &OutboxMessage::last_error)
      .def_readonly("state", &OutboxMessage::state)
      .def_readonly("created_at", &OutboxMessage::created_at)
      .def_readonly("updated_at", &OutboxMessage::updated_at)
      .def_property_readonly("payload", [](const OutboxMessage& o) { return to_python(o.payload); })
      .def("__repr__", [](const OutboxMessage& o) {
        return fmt::format("<OutboxMessage {} {} {} via {}: {}>", o.id, o.recipient, o.kind,
                           o.channel, o.state);
      });
}

std::vector<OutboxMessage> list_outbox(const Store& store, std::optional<InterviewId> interview,
                                       std::optional<OutboxState> state,
                                       std::optional<std::string> channel, std::size_t limit) {
  return unwrap(store.list_outbox(
      OutboxQuery{.state = state, .interview = interview, .channel = channel, .limit = limit}));
}

void bind_store_base(py::module_& m) {
  py::class_<Store, std::shared_ptr<Store>>(m, "Store")
      .def(
          "find", [](const Store& s, InterviewId id) { return unwrap(s.find(id)); }, py::arg("id"),
          release)
      .def("list_outbox", &list_outbox, py::kw_only(), py::arg("interview") = py::none(),
           py::arg("state") = py::none(), py::arg("channel") = py::none(), py::arg("limit") = 1000,
           release)
      .def(
          "find_outbox", [](const Store& s, OutboxId id) { return unwrap(s.find_outbox(id)); },
          py::arg("id"), release)
      .def(
          "next_due", [](const Store& s) { return unwrap(s.next_due()); }, release);
}

#ifdef INTERVIEWKIT_PY_SQLITE
std::shared_ptr<SqliteStore> open_sqlite(const std::string& path, bool synchronous_full,
                                         std::chrono::milliseconds busy_timeout) {
  using Sync = SqliteOptions::Synchronous;
  return unwrap(SqliteStore::open(
      path,
      {.synchronous = synchronous_full ? Sync::full : Sync::normal, .busy_timeout = busy_timeout}));
}

void bind_sqlite(py::module_& m) {
  py::class_<SqliteStore, Store, std::shared_ptr<SqliteStore>>(m, "SqliteStore")
      .def_static("open", &open_sqlite, py::arg("path"), py::kw_only(),
                  py::arg("synchronous_full") = true,
                  py::arg("busy_timeout") = std::chrono::milliseconds{10000}, release,
                  "Opens (creating and migrating) the SQLite file at `path`.")
      .def(
          "integrity_check", [](const SqliteStore& s) { return unwrap(s.integrity_check()); },
          release);
}
#endif

#ifdef INTERVIEWKIT_PY_POSTGRES
std::shared_ptr<PostgresStore> open_postgres(const std::string& url, std::size_t pool_size,
                                             std::chrono::seconds connect_timeout) {
  return unwrap(PostgresStore::open(
      {.url = url, .pool_size = pool_size, .connect_timeout = connect_timeout}));
}

void bind_postgres(py::module_& m) {
  py::class_<PostgresStore, Store, std::shared_ptr<PostgresStore>>(m, "PostgresStore")
      .def_static("open", &open_postgres, py::arg("url"), py::kw_only(), py::arg("pool_size") = 4,
                  py::arg("connect_timeout") = std::chrono::seconds{10}, release,
                  "Connects to PostgreSQL (a libpq URL) and applies the schema migrations.");
}
#endif

}  // namespace

void bind_stores(py::module_& m) {
  bind_outbox_message(m);
  bind_store_base(m);
#ifdef INTERVIEWKIT_PY_SQLITE
  bind_sqlite(m);
#endif
#ifdef INTERVIEWKIT_PY_POSTGRES
  bind_postgres(m);
#endif
}

}  // namespace interviewkit::python
