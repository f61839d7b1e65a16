#include <stdexcept>

#include <interviewkit/store/store_action_log.hpp>

namespace interviewkit {

StoreActionLog::StoreActionLog(std::shared_ptr<ActionStore> store) : store_(std::move(store)) {
  if (!store_)
    throw std::invalid_argument("StoreActionLog needs a store");
}

void StoreActionLog::write(const ActionEntry& entry) {
  if (auto ok = store_->append_action(entry); !ok)
    throw ErrorException(ok.error());
}

std::vector<ActionEntry> StoreActionLog::query(const ActionQuery& query) const {
  auto entries = store_->query_actions(query);
  if (!entries)
    throw ErrorException(entries.error());
  return std::move(entries).value();
}

}  // namespace interviewkit
