// Fuzzes what storewire-metrics reads from Kafka: records of the state topic
// (SubscriberBase::Restore) and of the events topic (MakeStateTransform).
// First byte chooses the path; the rest is the record value.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "storewire/core/clock.h"
#include "storewire/subscriber_base/state_topic.h"
#include "storewire/subscriber_base/subscriber_base.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace storewire;
  if (size == 0) return 0;
  static FakeClock clock(absl::FromUnixSeconds(1767225600));
  subscriber_base::SubscriberBase base(subscriber_base::SubscriberBaseOptions{}, clock);
  const std::string value(reinterpret_cast<const char*>(data + 1), size - 1);
  if (data[0] % 2 == 0) {
    (void)base.Restore("apple/fuzz", value);
    (void)base.Restore("apple/fuzz", value);  // the same key twice: replace path
  } else {
    auto transform = subscriber_base::MakeStateTransform(base, "fuzz.subscriptions.state");
    kafka::ConsumedRecord in;
    in.value = value;
    std::vector<kafka::OutgoingRecord> out;
    (void)transform(in, out);
    (void)transform(in, out);  // duplicate
    for (const kafka::OutgoingRecord& r : out) (void)base.Restore(r.key, r.value);
  }
  (void)base.Summary({});
  (void)base.Dashboard();
  (void)base.RefundAbuse({});
  return 0;
}
