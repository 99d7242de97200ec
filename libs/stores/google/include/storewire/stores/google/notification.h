// Parsing of what Google Play sends: the Cloud Pub/Sub push request and the
// real-time developer notification (RTDN) inside it.
//
//   absl::StatusOr<PushMessage> push = ParsePushRequest(raw.body());
//   absl::StatusOr<DeveloperNotification> n = ParseDeveloperNotification(push->data);
//   if (n->kind == NotificationKind::kSubscription) { ... n->subscription.notification_type ... }
//
// Tolerant where Google is loose: camelCase and snake_case Pub/Sub fields,
// `eventTimeMillis` as a string or a number, `data` in base64 or base64url,
// unknown future notification codes (kept as numbers; SubscriptionTypeName
// says "UNKNOWN"). Strict where it matters: exactly one notification kind,
// a purchase token for every kind except test.
//
// Errors: kInvalidArgument saying what is wrong (the caller rejects MALFORMED).
// Thread safety: pure functions.
#ifndef STOREWIRE_STORES_GOOGLE_NOTIFICATION_H_
#define STOREWIRE_STORES_GOOGLE_NOTIFICATION_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace storewire::stores::google {

// One Pub/Sub push request ("wrapped" format).
struct PushMessage {
  std::string message_id;  // messageId or message_id
  std::optional<absl::Time> publish_time;
  std::string data;  // decoded bytes of message.data
  std::map<std::string, std::string> attributes;
  std::string subscription;
  int64_t delivery_attempt = 0;
};

absl::StatusOr<PushMessage> ParsePushRequest(absl::string_view body);

enum class NotificationKind { kSubscription, kOneTimeProduct, kVoidedPurchase, kTest };

// Subscription notificationType codes (STORES.md). Unknown codes stay numbers.
enum SubscriptionNotificationType : int {
  kSubRecovered = 1,
  kSubRenewed = 2,
  kSubCanceled = 3,
  kSubPurchased = 4,
  kSubOnHold = 5,
  kSubInGracePeriod = 6,
  kSubRestarted = 7,
  kSubPriceChangeConfirmed = 8,
  kSubDeferred = 9,
  kSubPaused = 10,
  kSubPauseScheduleChanged = 11,
  kSubRevoked = 12,
  kSubExpired = 13,
  kSubItemsChanged = 17,
  kSubCancellationScheduled = 18,
  kSubPriceChangeUpdated = 19,
  kSubPendingPurchaseCanceled = 20,
  kSubPriceStepUpConsentUpdated = 22,
};

// "SUBSCRIPTION_RENEWED", ..., "UNKNOWN" for codes Google may add later.
std::string SubscriptionTypeName(int code);
// "ONE_TIME_PRODUCT_PURCHASED", "ONE_TIME_PRODUCT_CANCELED", "UNKNOWN".
std::string OneTimeTypeName(int code);

struct DeveloperNotification {
  std::string version;
  std::string package_name;
  std::optional<absl::Time> event_time;
  NotificationKind kind = NotificationKind::kTest;
  int notification_type = 0;  // subscription / one-time code
  std::string purchase_token;
  std::string subscription_id;  // legacy, may be empty
  std::string sku;              // one-time product id
  // voidedPurchaseNotification
  std::string order_id;
  int product_type = 0;  // 1 subscription, 2 one-time
  int refund_type = 0;   // 1 full, 2 quantity-based partial
};

absl::StatusOr<DeveloperNotification> ParseDeveloperNotification(absl::string_view json);

}  // namespace storewire::stores::google

#endif  // STOREWIRE_STORES_GOOGLE_NOTIFICATION_H_
