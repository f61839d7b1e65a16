// StoreSink: ActionLog entries written to an ActionStore, and the check that lets a caller
// commit an entry in the same transaction as the change it records.
#include <interviewkit/store/store_sink.hpp>

namespace interviewkit {

Result<std::shared_ptr<StoreSink>> StoreSink::make(std::shared_ptr<ActionStore> store) {
  if (!store)
    return InvalidInput{"StoreSink needs a store, got a null pointer"};
  return std::shared_ptr<StoreSink>(new StoreSink(std::move(store)));
}

StoreSink::StoreSink(std::shared_ptr<ActionStore> store) : store_(std::move(store)) {}

// ActionLogSink reports failure by throwing; ActionLog catches it and tells its handler.
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

// Same object, not merely the same database: two stores opened on one file are two
// transaction scopes, and an entry written through the other one would not commit with
// the change.
bool logs_into(const ActionLog& log, const Store& store) noexcept {
  const auto* sink = dynamic_cast<const StoreSink*>(log.sink().get());
  if (sink == nullptr || !store.keeps_action_log())
    return false;
  return dynamic_cast<const ActionStore*>(&store) == sink->store().get();
}

}  // namespace interviewkit
