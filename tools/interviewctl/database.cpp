// Store selection for interviewctl: the same commands work on SQLite and PostgreSQL.
#include "database.hpp"

#include <filesystem>

#include <interviewkit/store/sqlite_store.hpp>
#ifdef INTERVIEWCTL_WITH_POSTGRES
#include <interviewkit/store/postgres_store.hpp>
#endif

#include "cli.hpp"

namespace interviewctl {

namespace {

Database open_sqlite(const std::string& path, OpenMode mode) {
  std::error_code ec;
  if (mode == OpenMode::existing && !std::filesystem::exists(path, ec)) {
    throw CommandFailed(ExitCode::store_error,
                        "no database at " + path +
                            " (check --db or INTERVIEWKIT_DB; 'interviewctl migrate' creates one)");
  }
  auto store = unwrap(interviewkit::SqliteStore::open(path), "opening SQLite database " + path);
  return Database{store, store, "sqlite", interviewkit::SqliteStore::schema_version};
}

#ifdef INTERVIEWCTL_WITH_POSTGRES
// The URL may hold a password: messages name only the database kind.
Database open_postgres(const std::string& url) {
  interviewkit::PostgresOptions options;
  options.url = url;
  options.pool_size = 2;
  auto store = unwrap(interviewkit::PostgresStore::open(std::move(options)),
                      "opening the PostgreSQL database");
  return Database{store, store, "postgresql", interviewkit::PostgresStore::schema_version};
}
#endif

}  // namespace

bool is_postgres_url(const std::string& target) noexcept {
  return target.starts_with("postgresql://") || target.starts_with("postgres://");
}

Database open_database(const std::string& target, OpenMode mode) {
  if (target.empty())
    usage_error("no database: pass --db PATH_OR_URL or set INTERVIEWKIT_DB");
  if (!is_postgres_url(target))
    return open_sqlite(target, mode);
#ifdef INTERVIEWCTL_WITH_POSTGRES
  return open_postgres(target);
#else
  usage_error("this interviewctl was built without PostgreSQL support (the postgres component)");
#endif
}

}  // namespace interviewctl
