// Mapping of decoded (and already verified) Huawei notifications to
// SubscriptionEvents. Pure: the same input always yields the same event.
//
//   v1::SubscriptionEvent e = MapStatusUpdate(n, update, raw, "demo");
//   v1::SubscriptionEvent o = MapOrder(n, *n.order, raw, "demo");
//
// Identity (Huawei sends no notification id; its retries resend the same
// bytes): subscription id = EventId(STORE_APP_GALLERY, "sub:" + hex SHA-256 of
// the statusUpdateNotification string); order id = EventId(STORE_APP_GALLERY,
// "order:<type>:" + hex SHA-256 of the purchaseToken). subscriptionKey = the
// subscriptionId (stable across renewals); orders: the purchaseToken.
// The type table is in README.md.
// Thread safety: pure functions.
#ifndef STOREWIRE_STORES_HUAWEI_MAPPING_H_
#define STOREWIRE_STORES_HUAWEI_MAPPING_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "storewire/stores/huawei/payload.h"
#include "storewire/v1/event.pb.h"
#include "storewire/v1/raw.pb.h"

namespace storewire::stores::huawei {

// "INITIAL_BUY", ... for 0..13; the number as text otherwise.
std::string SubscriptionTypeName(int64_t type);
v1::EventType SubscriptionEventType(const StatusUpdate& update);

v1::SubscriptionEvent MapStatusUpdate(const Notification& n, const StatusUpdate& update,
                                      const v1::RawNotification& raw, absl::string_view app_id);
v1::SubscriptionEvent MapOrder(const Notification& n, const OrderNotification& order,
                               const v1::RawNotification& raw, absl::string_view app_id);

}  // namespace storewire::stores::huawei

#endif  // STOREWIRE_STORES_HUAWEI_MAPPING_H_
