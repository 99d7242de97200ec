// Runs many Play Developer API calls at once, with retries and backoff, and
// waits for all of them: the normalizer's batch-level concurrency.
//
//   PurchaseFetcher fetcher({.max_attempts = 4});
//   std::vector<absl::StatusOr<std::string>> bodies = fetcher.FetchAll(requests);
//
// Each request is sent at once (the HTTP client bounds the connections);
// requests that fail retryably (kUnavailable, kDeadlineExceeded) are sent
// again after a backoff (doubling from `initial_backoff` to `max_backoff`)
// until `max_attempts` or `deadline` since the start; their last status is
// returned then. Permanent failures (kNotFound, kPermissionDenied,
// kInvalidArgument, kFailedPrecondition) are returned at once.
//
// Thread safety: FetchAll may be called concurrently; it blocks, so never call
// it from an HTTP client callback.
#ifndef STOREWIRE_STORES_GOOGLE_FETCHER_H_
#define STOREWIRE_STORES_GOOGLE_FETCHER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "storewire/stores/google/play_api.h"

namespace storewire::stores::google {

struct RetryPolicy {
  int max_attempts = 4;
  absl::Duration initial_backoff = absl::Milliseconds(200);
  absl::Duration max_backoff = absl::Seconds(2);
  absl::Duration deadline = absl::Seconds(20);
};

struct FetchRequest {
  PlayApi* api = nullptr;
  std::string package;
  std::string token;
  // Empty: purchases.subscriptionsv2.get; otherwise purchases.products.get.
  std::string product_id;
};

bool IsRetryableApiStatus(const absl::Status& status);

class PurchaseFetcher {
 public:
  explicit PurchaseFetcher(RetryPolicy policy) : policy_(policy) {}
  std::vector<absl::StatusOr<std::string>> FetchAll(
      const std::vector<FetchRequest>& requests) const;
  const RetryPolicy& policy() const { return policy_; }

 private:
  RetryPolicy policy_;
};

}  // namespace storewire::stores::google

#endif  // STOREWIRE_STORES_GOOGLE_FETCHER_H_
