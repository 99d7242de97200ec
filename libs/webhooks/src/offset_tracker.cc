#include "storewire/webhooks/offset_tracker.h"

namespace storewire::webhooks {

void OffsetTracker::Start(const std::string& topic, int32_t partition, int64_t offset) {
  partitions_[{topic, partition}].in_flight.insert(offset);
}

std::optional<int64_t> OffsetTracker::Finish(const std::string& topic, int32_t partition,
                                             int64_t offset) {
  auto it = partitions_.find({topic, partition});
  if (it == partitions_.end()) return std::nullopt;
  Partition& p = it->second;
  if (p.in_flight.erase(offset) == 0) return std::nullopt;
  p.finished.insert(offset);
  // Everything finished below the lowest offset still in flight is done.
  std::optional<int64_t> done;
  while (!p.finished.empty() &&
         (p.in_flight.empty() || *p.finished.begin() < *p.in_flight.begin())) {
    done = *p.finished.begin();
    p.finished.erase(p.finished.begin());
  }
  return done;
}

void OffsetTracker::Forget(const std::string& topic, int32_t partition) {
  partitions_.erase({topic, partition});
}

size_t OffsetTracker::in_flight() const {
  size_t n = 0;
  for (const auto& [key, p] : partitions_) n += p.in_flight.size();
  return n;
}

}  // namespace storewire::webhooks
