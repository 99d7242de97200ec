// The Google Play adapter: Pub/Sub push -> DeveloperNotification -> Play
// Developer API state -> SubscriptionEvent.
//
//   auto adapter = MakeGoogleAdapter(config);          // real HTTP, per-app credentials
//   GoogleAdapter adapter([&](const AppConfig&) { return &fake_api; });  // tests
//   adapter.Prefetch(batch);                           // optional: all API calls at once
//   absl::StatusOr<NormalizeResult> r = adapter.Normalize(raw, app, now);
//
// Outcomes (see README.md):
//   events        test, voided, and subscription / one-time notifications whose
//                 purchase the API returned
//   rejected      MALFORMED (push or notification unparseable), APP_MISMATCH
//                 (packageName is not the app's package_name, or the API says
//                 403), STORE_API_UNAVAILABLE (the API says the token does not
//                 exist: 404/410/other 4xx)
//   kUnavailable  the API kept failing (429/5xx/timeouts) through the retry
//                 policy: the normalizer defers the record, nothing is lost
//
// Subscription keys: the first token of the linkedPurchaseToken chain, found by
// walking the API (at most `max_chain_depth` links) and remembered in an LRU.
//
// Thread safety: Normalize and Prefetch may be called concurrently. The
// PlayApi objects must outlive the adapter.
#ifndef STOREWIRE_STORES_GOOGLE_GOOGLE_ADAPTER_H_
#define STOREWIRE_STORES_GOOGLE_GOOGLE_ADAPTER_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>

#include "absl/synchronization/mutex.h"
#include "storewire/core/config.h"
#include "storewire/stores/adapter.h"
#include "storewire/stores/google/fetcher.h"
#include "storewire/stores/google/link_cache.h"
#include "storewire/stores/google/play_api.h"
#include "storewire/stores/google/purchase.h"

namespace storewire::stores::google {

struct GoogleAdapterOptions {
  RetryPolicy retry;
  int max_chain_depth = 8;
  size_t link_cache_capacity = 200000;
};

// The PlayApi for an app's google section (never null for an app with one).
using PlayApiLookup = std::function<PlayApi*(const AppConfig& app)>;

class GoogleAdapter final : public StoreAdapter {
 public:
  explicit GoogleAdapter(PlayApiLookup apis, GoogleAdapterOptions options = {});

  v1::Store store() const override { return v1::STORE_PLAY_STORE; }
  absl::StatusOr<NormalizeResult> Normalize(const v1::RawNotification& raw, const AppConfig& app,
                                            absl::Time now) const override;
  void Prefetch(const std::vector<PrefetchItem>& items) const override;

  LinkCache& links() const { return links_; }

 private:
  absl::StatusOr<std::string> Fetch(const AppConfig& app, const std::string& token,
                                    const std::string& product_id) const;
  absl::StatusOr<std::string> ResolveRoot(const AppConfig& app, const std::string& token,
                                          const SubscriptionPurchase& purchase) const;
  void MaybeAcknowledge(const AppConfig& app, const std::string& token,
                        const SubscriptionPurchase& purchase, int notification_type) const;

  PlayApiLookup apis_;
  GoogleAdapterOptions options_;
  PurchaseFetcher fetcher_;
  mutable LinkCache links_;
  mutable absl::Mutex mu_;
  // Bodies fetched by the last Prefetch of each thread (the normalizer's main
  // and retry loops each prefetch their own batches), by
  // "<app>|<product>|<token>".
  mutable std::map<std::thread::id, std::unordered_map<std::string, absl::StatusOr<std::string>>>
      prefetched_ ABSL_GUARDED_BY(mu_);
};

// The production adapter: one curl client, and per app with a google section a
// service-account token source (when service_account_key_file is set) and a
// PlayApi on play_api_base_url. kFailedPrecondition names the app whose key
// file cannot be read or used.
absl::StatusOr<std::unique_ptr<StoreAdapter>> MakeGoogleAdapter(const Config& config);

}  // namespace storewire::stores::google

#endif  // STOREWIRE_STORES_GOOGLE_GOOGLE_ADAPTER_H_
