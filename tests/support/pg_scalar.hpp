// One number read from a PostgreSQL database on a connection of its own (libpqxx), for tests
// that look behind the store.
#pragma once

#include <cstdint>
#include <string>

#include <pqxx/pqxx>

namespace interviewkit::testing {

inline std::int64_t scalar(const std::string& url, const std::string& sql) {
  pqxx::connection c(url);
  pqxx::nontransaction tx(c);
  return tx.exec(sql)[0][0].as<std::int64_t>();
}

}  // namespace interviewkit::testing
