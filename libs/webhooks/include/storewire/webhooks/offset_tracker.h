// Which consumed offsets may be committed when records finish out of order.
//
// Kafka commits one offset per partition ("everything before it is done"), but
// deliveries of one partition finish in any order. The tracker remembers the
// records in flight per partition and reports the highest record below which
// everything is done:
//
//   tracker.Start("t", 0, 10); tracker.Start("t", 0, 11);
//   tracker.Finish("t", 0, 11);   // nullopt: 10 is still in flight
//   tracker.Finish("t", 0, 10);   // 11: mark it done, commit 12
//
// Thread safety: none (the consumer thread owns it).
#ifndef STOREWIRE_WEBHOOKS_OFFSET_TRACKER_H_
#define STOREWIRE_WEBHOOKS_OFFSET_TRACKER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

namespace storewire::webhooks {

class OffsetTracker {
 public:
  void Start(const std::string& topic, int32_t partition, int64_t offset);
  // The offset up to which (inclusive) every started record is finished, when
  // that advanced with this call; nullopt otherwise.
  std::optional<int64_t> Finish(const std::string& topic, int32_t partition, int64_t offset);
  // Forgets a partition (revoked: its new owner receives the records again).
  void Forget(const std::string& topic, int32_t partition);
  size_t in_flight() const;

 private:
  struct Partition {
    std::set<int64_t> in_flight;
    std::set<int64_t> finished;  // finished but above an in-flight offset
  };
  std::map<std::pair<std::string, int32_t>, Partition> partitions_;
};

}  // namespace storewire::webhooks

#endif  // STOREWIRE_WEBHOOKS_OFFSET_TRACKER_H_
