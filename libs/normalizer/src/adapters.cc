// Wires the store adapters built into this binary. Adding a store is a few
// lines here plus its library in CMakeLists.txt.
#include "absl/strings/str_cat.h"
#include "storewire/http/client.h"
#include "storewire/normalizer/normalizer.h"
#include "storewire/stores/amazon/amazon_adapter.h"
#include "storewire/stores/apple/apple_adapter.h"
#include "storewire/stores/apple/ocsp.h"
#include "storewire/stores/google/google_adapter.h"
#include "storewire/stores/huawei/huawei_adapter.h"

namespace storewire::normalizer {

absl::StatusOr<AdapterSet> BuildAdapters(const Config& config) {
  AdapterSet adapters;
  // One OCSP client for the process, only when some app asks for online checks.
  static const stores::apple::OcspClient* ocsp = [&config]() -> stores::apple::OcspClient* {
    for (const AppConfig& app : config.apps) {
      if (app.apple && app.apple->online_checks) {
        return stores::apple::MakeHttpOcspClient().release();
      }
    }
    return nullptr;
  }();
  absl::StatusOr<std::unique_ptr<stores::StoreAdapter>> apple =
      stores::MakeAppleAdapter(config, ocsp);
  if (!apple.ok()) return apple.status();
  adapters[v1::STORE_APP_STORE] = *std::move(apple);
  // Huawei and Amazon (issue 9). Amazon's outbound calls (SNS certificates,
  // SubscribeURL, Receipt Verification Service) share one client for the
  // process; what it may reach is bounded by each app's URL patterns.
  adapters[v1::STORE_APP_GALLERY] = stores::MakeHuaweiAdapter(config);
  static http::Client* amazon_http = http::MakeCurlClient({}).release();
  adapters[v1::STORE_AMAZON_APPSTORE] = stores::MakeAmazonAdapter(config, *amazon_http);
  // Google Play (issue 4): one curl client and per-app service-account
  // credentials, owned by the adapter.
  absl::StatusOr<std::unique_ptr<stores::StoreAdapter>> google =
      stores::google::MakeGoogleAdapter(config);
  if (!google.ok()) return google.status();
  adapters[v1::STORE_PLAY_STORE] = *std::move(google);
  return adapters;
}

}  // namespace storewire::normalizer
