// Defaults of the Store interface.
#include <interviewkit/store/store.hpp>

namespace interviewkit {

Result<void> StoreTransaction::append_action(const ActionEntry& entry) {
  return InvalidInput{fmt::format(
      "this store keeps no action log; {} must be recorded through the ActionLog instead",
      entry.action)};
}

}  // namespace interviewkit
