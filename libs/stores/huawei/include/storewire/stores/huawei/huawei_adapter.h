// The AppGallery adapter: verifies and normalizes Huawei IAP server
// notifications (v2 order and subscription notifications, and the older v1
// subscription body).
//
//   absl::StatusOr<std::unique_ptr<stores::StoreAdapter>> huawei = MakeHuaweiAdapter(config);
//   absl::StatusOr<stores::NormalizeResult> r = (*huawei)->Normalize(raw, *app, absl::Now());
//
// Subscription notifications: the signature over the exact
// statusUpdateNotification string must verify with apps[].huawei.public_key
// (signature.h), then the applicationId must match apps[].huawei.application_id
// when that is set, then it is mapped (mapping.h). Order notifications carry no
// signature from Huawei: only the applicationId check applies (README.md).
// Results: Reject(MALFORMED | BAD_SIGNATURE | APP_MISMATCH | UNAUTHENTICATED |
// UNKNOWN_APP, detail); never a non-OK status (no I/O).
// Keys are parsed once here; an unusable key does not stop the process: that
// app's signed notifications are rejected UNAUTHENTICATED naming the key.
// Thread safety: Normalize is safe to call concurrently.
#ifndef STOREWIRE_STORES_HUAWEI_HUAWEI_ADAPTER_H_
#define STOREWIRE_STORES_HUAWEI_HUAWEI_ADAPTER_H_

#include <memory>

#include "storewire/core/config.h"
#include "storewire/stores/adapter.h"

namespace storewire::stores::huawei {

std::unique_ptr<StoreAdapter> MakeHuaweiAdapter(const Config& config);

}  // namespace storewire::stores::huawei

namespace storewire::stores {
using huawei::MakeHuaweiAdapter;
}  // namespace storewire::stores

#endif  // STOREWIRE_STORES_HUAWEI_HUAWEI_ADAPTER_H_
