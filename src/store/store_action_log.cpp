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

bool logs_into(const ActionLog& log, const Store& store) noexcept {
  const auto* sink = dynamic_cast<const StoreActionLog*>(log.sink().get());
  if (sink == nullptr || !store.keeps_action_log())
    return false;
  return dynamic_cast<const ActionStore*>(&store) == sink->store().get();
}

}  // namespace interviewkit
