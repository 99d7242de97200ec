// Fuzzes the Pub/Sub push envelope parser and, through it, the
// DeveloperNotification parser and the OIDC token's compact-JWS split: none
// may crash, hang or accept inconsistent input.
#include <cstddef>
#include <cstdint>
#include <string>

#include "storewire/stores/google/notification.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace storewire::stores::google;
  std::string input(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<PushMessage> push = ParsePushRequest(input);
  if (push.ok()) {
    if (push->message_id.empty()) __builtin_trap();
    (void)ParseDeveloperNotification(push->data);
  }
  return 0;
}
