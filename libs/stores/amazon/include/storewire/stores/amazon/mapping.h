// Mapping of a verified Amazon real-time notification (plus, when the app has
// an RVS shared secret, the receipt from the Receipt Verification Service) to
// a SubscriptionEvent. Pure: the same input always yields the same event.
//
//   v1::SubscriptionEvent e = MapNotification(sns, rtn, receipt_or_null, raw, "demo");
//
// Identity: id = EventId(STORE_AMAZON_APPSTORE, SNS MessageId) (SNS retries
// keep the MessageId); subscriptionKey = receiptId; customerId = appUserId.
// The type table is in README.md; unknown types map to EVENT_TYPE_UNKNOWN with
// the raw name kept in storeNotification.type.
// Thread safety: pure functions.
#ifndef STOREWIRE_STORES_AMAZON_MAPPING_H_
#define STOREWIRE_STORES_AMAZON_MAPPING_H_

#include "absl/strings/string_view.h"
#include "storewire/stores/amazon/rtn.h"
#include "storewire/stores/amazon/sns.h"
#include "storewire/v1/event.pb.h"
#include "storewire/v1/raw.pb.h"

namespace storewire::stores::amazon {

v1::EventType RtnEventType(absl::string_view notification_type);

v1::SubscriptionEvent MapNotification(const SnsMessage& sns, const RtnMessage& rtn,
                                      const Receipt* receipt, const v1::RawNotification& raw,
                                      absl::string_view app_id);

}  // namespace storewire::stores::amazon

#endif  // STOREWIRE_STORES_AMAZON_MAPPING_H_
