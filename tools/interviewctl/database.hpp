// Opening the database named by --db / $INTERVIEWKIT_DB: a SQLite file, or a PostgreSQL URL
// when this build has the postgres component.
#pragma once

#include <memory>
#include <string>

#include <interviewkit/store/store.hpp>
#include <interviewkit/store/store_sink.hpp>

namespace interviewctl {

struct Database {
  std::shared_ptr<interviewkit::Store> store;
  /// The same object as `store` (both SQL stores keep the action log).
  std::shared_ptr<interviewkit::ActionStore> actions;
  std::string kind;  ///< "sqlite" or "postgresql"
  int schema_version = 0;
};

enum class OpenMode {
  existing,  ///< a SQLite file that does not exist is an error, not a new empty database
  create,    ///< migrate: create the file if needed
};

/// Opens and migrates the database. Throws CommandFailed: usage (2) when no database was
/// named or a PostgreSQL URL is given to a build without PostgreSQL, store error (4) when
/// it cannot be opened.
[[nodiscard]] Database open_database(const std::string& target, OpenMode mode = OpenMode::existing);

/// True for "postgresql://..." and "postgres://...".
[[nodiscard]] bool is_postgres_url(const std::string& target) noexcept;

}  // namespace interviewctl
