// Wires the store adapters built into this binary. Adding a store is a few
// lines here plus its library in CMakeLists.txt.
#include "absl/strings/str_cat.h"
#include "storewire/normalizer/normalizer.h"
#include "storewire/stores/apple/apple_adapter.h"
#include "storewire/stores/apple/ocsp.h"

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
  return adapters;
}

}  // namespace storewire::normalizer
