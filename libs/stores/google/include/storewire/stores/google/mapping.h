// The pure mapping from a Play notification (+ the purchase state fetched from
// the Play Developer API) to storewire SubscriptionEvents.
//
//   MappingInput in{.app_id = "demo", .message_id = push.message_id, .notification = &n,
//                    .subscription = &purchase, .subscription_key = root_token};
//   v1::SubscriptionEvent e = MapNotification(in);
//
// Event ids are EventId(PLAY_STORE, Pub/Sub messageId): a redelivered push maps
// to the same id. Subscription notifications need `subscription`, one-time
// product notifications `product` (either may be null: the fields it would
// fill stay empty); voided and test notifications need neither.
// Thread safety: pure.
#ifndef STOREWIRE_STORES_GOOGLE_MAPPING_H_
#define STOREWIRE_STORES_GOOGLE_MAPPING_H_

#include <optional>
#include <string>

#include "absl/time/time.h"
#include "storewire/stores/google/notification.h"
#include "storewire/stores/google/purchase.h"
#include "storewire/v1/event.pb.h"

namespace storewire::stores::google {

struct MappingInput {
  std::string app_id;
  std::string message_id;
  std::optional<absl::Time> publish_time;
  const DeveloperNotification* notification = nullptr;
  const SubscriptionPurchase* subscription = nullptr;
  const ProductPurchase* product = nullptr;
  // The first token of the purchase's linked chain (the token itself when it
  // has no predecessor).
  std::string subscription_key;
};

// The EventType of a subscription notification code given the purchase state
// (PURCHASED is a trial start when the line item is in its free-trial phase).
v1::EventType SubscriptionEventType(int code, const SubscriptionPurchase* purchase);

v1::SubscriptionEvent MapNotification(const MappingInput& in);

}  // namespace storewire::stores::google

#endif  // STOREWIRE_STORES_GOOGLE_MAPPING_H_
