// Fuzzes the decoders of Apple's (verified) payloads and V1 bodies, and the
// mapping that follows them.
#include <cstddef>
#include <cstdint>
#include <string>

#include "storewire/stores/apple/mapping.h"
#include "storewire/stores/apple/payload.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace storewire::stores::apple;  // NOLINT
  std::string json(reinterpret_cast<const char*>(data), size);
  storewire::v1::RawNotification raw;
  raw.set_body(json);
  auto tx = DecodeTransactionInfo(json);
  auto renewal = DecodeRenewalInfo(json);
  if (auto n = DecodeNotificationV2(json); n.ok()) {
    std::optional<TransactionInfo> t;
    std::optional<RenewalInfo> r;
    if (tx.ok()) t = *tx;
    if (renewal.ok()) r = *renewal;
    (void)MapNotificationV2(*n, t, r, raw, "fuzz");
  }
  if (auto v1 = DecodeNotificationV1(json); v1.ok()) (void)MapNotificationV1(*v1, raw, "fuzz");
  return 0;
}
