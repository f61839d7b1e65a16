#include <stdexcept>

#include <interviewkit/store/store_sink.hpp>

namespace interviewkit {

StoreSink::StoreSink(std::shared_ptr<ActionStore> store) : store_(std::move(store)) {
  if (!store_)
    throw std::invalid_argument("StoreSink needs a store");
}

void StoreSink::write(const ActionEntry& entry) {
  if (auto ok = store_->append_action(entry); !ok)
    throw ErrorException(ok.error());
}

std::vector<ActionEntry> StoreSink::query(const ActionQuery& query) const {
  auto entries = store_->query_actions(query);
  if (!entries)
    throw ErrorException(entries.error());
  return std::move(entries).value();
}

bool logs_into(const ActionLog& log, const Store& store) noexcept {
  const auto* sink = dynamic_cast<const StoreSink*>(log.sink().get());
  if (sink == nullptr || !store.keeps_action_log())
    return false;
  return dynamic_cast<const ActionStore*>(&store) == sink->store().get();
}

}  // namespace interviewkit
