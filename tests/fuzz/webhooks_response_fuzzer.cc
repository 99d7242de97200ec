// Fuzzes what storewire-webhooks reads from untrusted endpoints and from its
// own topics: a response's status and Retry-After header (Classify,
// ParseRetryAfter, RetryPolicy) and retry/DLQ/registry record values.
// Input: 2 bytes of status, then the Retry-After value up to a '\n', then a
// record value.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "storewire/v1/webhooks.pb.h"
#include "storewire/webhooks/registry.h"
#include "storewire/webhooks/retry_policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace storewire;
  if (size < 2) return 0;
  http::ClientResponse response;
  response.status = (data[0] << 8 | data[1]) % 1000;
  std::string rest(reinterpret_cast<const char*>(data + 2), size - 2);
  const size_t newline = rest.find('\n');
  const std::string retry_after = rest.substr(0, newline);
  const std::string record = newline == std::string::npos ? "" : rest.substr(newline + 1);
  response.headers = {{"retry-after", retry_after}};
  const absl::Time now = absl::FromUnixSeconds(1'800'000'000);
  webhooks::Outcome o = webhooks::Classify(response, now);
  static const webhooks::RetryPolicy policy("fuzz", WebhooksConfig());
  for (int attempts = 0; attempts <= policy.max_attempts(); ++attempts) {
    std::optional<absl::Duration> d = policy.DelayAfter(attempts, o.retry_after, 0.5);
    if (d.has_value() && *d < absl::ZeroDuration()) __builtin_trap();
    if (d.has_value() && o.retry_after.has_value() && *d > absl::Hours(1)) __builtin_trap();
  }
  v1::WebhookDelivery delivery;
  (void)delivery.ParseFromString(record);
  static webhooks::Registry registry;
  registry.ApplyRecord("ep_fuzz", record);
  return 0;
}
