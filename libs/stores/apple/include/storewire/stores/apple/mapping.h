// Mapping of decoded (and already verified and checked) Apple notifications to
// SubscriptionEvents. Pure: the same input always yields the same event.
//
//   v1::SubscriptionEvent e = MapNotificationV2(n, tx, renewal, raw, "demo");
//
// Identity:
//   id              = EventId(STORE_APP_STORE, notificationUUID) (identical for
//                     Apple's retries). V1 has no UUID: EventId(STORE_APP_STORE,
//                     "v1:" + hex SHA-256 of the body), stable across Apple's
//                     retries of the same body.
//   subscriptionKey = originalTransactionId; without a transaction:
//                     "apple:external:<externalPurchaseId>" (external purchase
//                     tokens), "apple:renewal-extension:<requestIdentifier>"
//                     (RENEWAL_EXTENSION summaries), else "apple:app:<bundleId>"
//                     (TEST, RESCIND_CONSENT, data without transaction).
// The type table is in README.md; unknown types or subtypes map to
// EVENT_TYPE_UNKNOWN with the raw names kept in storeNotification.
// Thread safety: pure functions.
#ifndef STOREWIRE_STORES_APPLE_MAPPING_H_
#define STOREWIRE_STORES_APPLE_MAPPING_H_

#include <optional>

#include "absl/strings/string_view.h"
#include "storewire/stores/apple/payload.h"
#include "storewire/v1/event.pb.h"
#include "storewire/v1/raw.pb.h"

namespace storewire::stores::apple {

v1::EventType EventTypeV2(absl::string_view type, absl::string_view subtype,
                          const TransactionInfo* tx);
v1::PeriodType PeriodTypeOf(std::optional<int64_t> offer_type,
                            absl::string_view offer_discount_type);

v1::SubscriptionEvent MapNotificationV2(const NotificationV2& n,
                                        const std::optional<TransactionInfo>& tx,
                                        const std::optional<RenewalInfo>& renewal,
                                        const v1::RawNotification& raw, absl::string_view app_id);

v1::SubscriptionEvent MapNotificationV1(const NotificationV1& n, const v1::RawNotification& raw,
                                        absl::string_view app_id);

}  // namespace storewire::stores::apple

#endif  // STOREWIRE_STORES_APPLE_MAPPING_H_
