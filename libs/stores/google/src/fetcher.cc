#include "storewire/stores/google/fetcher.h"

#include <memory>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"

namespace storewire::stores::google {

bool IsRetryableApiStatus(const absl::Status& status) {
  return status.code() == absl::StatusCode::kUnavailable ||
         status.code() == absl::StatusCode::kDeadlineExceeded ||
         status.code() == absl::StatusCode::kResourceExhausted ||
         status.code() == absl::StatusCode::kCancelled;
}

std::vector<absl::StatusOr<std::string>> PurchaseFetcher::FetchAll(
    const std::vector<FetchRequest>& requests) const {
  // Shared with the callbacks, which may outlive this call only if the client
  // misbehaves; the shared_ptr keeps that safe.
  struct Round {
    absl::Mutex mu;
    int outstanding = 0;
    std::vector<absl::StatusOr<std::string>> results;
  };
  std::vector<absl::StatusOr<std::string>> results(requests.size(),
                                                   absl::UnavailableError("not attempted"));
  std::vector<size_t> pending(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) pending[i] = i;
  const absl::Time deadline = absl::Now() + policy_.deadline;
  absl::Duration backoff = policy_.initial_backoff;
  for (int attempt = 1; !pending.empty(); ++attempt) {
    auto round = std::make_shared<Round>();
    round->outstanding = static_cast<int>(pending.size());
    round->results.assign(pending.size(), absl::UnavailableError("no answer"));
    for (size_t j = 0; j < pending.size(); ++j) {
      const FetchRequest& r = requests[pending[j]];
      auto done = [round, j](absl::StatusOr<std::string> body) {
        absl::MutexLock lock(&round->mu);
        round->results[j] = std::move(body);
        --round->outstanding;
      };
      if (r.product_id.empty()) {
        r.api->GetSubscription(r.package, r.token, std::move(done));
      } else {
        r.api->GetProduct(r.package, r.product_id, r.token, std::move(done));
      }
    }
    {
      absl::MutexLock lock(&round->mu);
      round->mu.Await(absl::Condition(
          +[](int* outstanding) { return *outstanding == 0; }, &round->outstanding));
    }
    std::vector<size_t> again;
    for (size_t j = 0; j < pending.size(); ++j) {
      results[pending[j]] = std::move(round->results[j]);
      if (!results[pending[j]].ok() && IsRetryableApiStatus(results[pending[j]].status())) {
        again.push_back(pending[j]);
      }
    }
    if (again.empty() || attempt >= policy_.max_attempts || absl::Now() + backoff > deadline) break;
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, policy_.max_backoff);
    pending = std::move(again);
  }
  return results;
}

}  // namespace storewire::stores::google
