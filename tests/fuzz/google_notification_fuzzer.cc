// Fuzzes the DeveloperNotification and Play API resource parsers.
#include <cstddef>
#include <cstdint>
#include <string>

#include "storewire/stores/google/notification.h"
#include "storewire/stores/google/purchase.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace storewire::stores::google;
  std::string input(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<DeveloperNotification> n = ParseDeveloperNotification(input);
  if (n.ok()) {
    if (n->package_name.empty()) __builtin_trap();
    if (n->kind != NotificationKind::kTest && n->purchase_token.empty()) __builtin_trap();
    (void)SubscriptionTypeName(n->notification_type);
  }
  (void)ParseSubscriptionPurchaseV2(input);
  (void)ParseProductPurchase(input);
  return 0;
}
