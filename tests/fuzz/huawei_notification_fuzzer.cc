// Fuzzes the Huawei notification decoders (outer body, statusUpdateNotification,
// latestReceiptInfo), the signature check on arbitrary input, and the mapping.
#include <cstddef>
#include <cstdint>
#include <string>

#include "storewire/stores/huawei/mapping.h"
#include "storewire/stores/huawei/payload.h"
#include "storewire/stores/huawei/signature.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace storewire::stores::huawei;  // NOLINT
  const std::string input(reinterpret_cast<const char*>(data), size);
  storewire::v1::RawNotification raw;
  raw.set_body(input);
  if (auto n = DecodeNotification(input); n.ok()) {
    if (n->order) (void)MapOrder(*n, *n->order, raw, "fuzz");
    if (n->subscription) {
      if (auto key = ParseIapPublicKey(n->subscription->signature); key.ok()) {
        (void)VerifyNotificationSignature(*key, n->subscription->status_update_json,
                                          n->subscription->signature,
                                          n->subscription->signature_algorithm);
      }
      if (auto u = DecodeStatusUpdate(n->subscription->status_update_json); u.ok()) {
        (void)MapStatusUpdate(*n, *u, raw, "fuzz");
      }
    }
  }
  (void)DecodeStatusUpdate(input);
  (void)DecodePurchaseData(input);
  return 0;
}
