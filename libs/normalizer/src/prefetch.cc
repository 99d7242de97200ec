// Normalizer::Prefetch: groups a batch's raw notifications by store and hands
// them to the adapters' Prefetch hooks, so that a batch of Google
// notifications costs one round of concurrent Play API calls (Amazon: RVS
// lookups) instead of one call after another inside the transaction.
#include <map>

#include "storewire/normalizer/normalizer.h"

namespace storewire::normalizer {

void Normalizer::Prefetch(const std::vector<kafka::ConsumedRecord>& batch) const {
  std::vector<v1::RawNotification> raws(batch.size());
  std::map<v1::Store, std::vector<stores::PrefetchItem>> by_store;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (!raws[i].ParseFromString(batch[i].value)) continue;
    const AppConfig* app = config_.FindApp(raws[i].app_id());
    if (app == nullptr || adapters_.count(raws[i].store()) == 0) continue;
    by_store[raws[i].store()].push_back({&raws[i], app});
  }
  for (const auto& [store, items] : by_store) adapters_.at(store)->Prefetch(items);
}

}  // namespace storewire::normalizer
