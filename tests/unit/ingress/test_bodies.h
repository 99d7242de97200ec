// Literal store bodies for ingress tests.
#ifndef STOREWIRE_TESTS_UNIT_INGRESS_TEST_BODIES_H_
#define STOREWIRE_TESTS_UNIT_INGRESS_TEST_BODIES_H_

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace storewire::testing {

// An unsigned compact JWS around `payload_json` (the ingress never verifies).
inline std::string UnsignedJws(const std::string& payload_json) {
  return absl::StrCat(absl::WebSafeBase64Escape(R"({"alg":"ES256","x5c":[]})"), ".",
                      absl::WebSafeBase64Escape(payload_json), ".c2lnbmF0dXJl");
}

inline std::string AppleV2Body(const std::string& original_transaction_id) {
  const std::string transaction =
      UnsignedJws(absl::StrCat(R"({"transactionId":"2000000456","originalTransactionId":")",
                               original_transaction_id, R"(","bundleId":"com.example"})"));
  const std::string notification = UnsignedJws(absl::StrCat(
      R"({"notificationType":"DID_RENEW","notificationUUID":"0b7e1b2c-0000-4000-8000-000000000001",)",
      R"("data":{"bundleId":"com.example","environment":"Sandbox","signedTransactionInfo":")",
      transaction, R"("}})"));
  return absl::StrCat(R"({"signedPayload":")", notification, R"("})");
}

inline std::string GoogleBody(const std::string& developer_notification_json) {
  return absl::StrCat(R"({"message":{"data":")", absl::Base64Escape(developer_notification_json),
                      R"(","messageId":"136969346945","publishTime":"2026-11-22T10:00:00Z"},)",
                      R"("subscription":"projects/p/subscriptions/s"})");
}

inline std::string GoogleSubscriptionBody() {
  return GoogleBody(
      R"({"version":"1.0","packageName":"com.example.app","eventTimeMillis":"1700000000000",)"
      R"("subscriptionNotification":{"version":"1.0","notificationType":2,)"
      R"("purchaseToken":"tok-abc","subscriptionId":"monthly"}})");
}

inline constexpr char kHuaweiOrderBody[] =
    R"({"version":"v2","eventType":"ORDER","notifyTime":1700000000000,"applicationId":"1",)"
    R"("orderNotification":{"version":"v2","notificationType":1,"purchaseToken":"hw-token-1",)"
    R"("productId":"coins"}})";

inline constexpr char kHuaweiSubscriptionBody[] =
    R"({"version":"v2","eventType":"SUBSCRIPTION","notifyTime":1700000000000,)"
    R"("applicationId":"1","subNotification":{"statusUpdateNotification":)"
    R"("{\"notificationType\":2,\"purchaseToken\":\"hw-sub-token\",\"subscriptionId\":\"s1\"}",)"
    R"("notificationSignature":"c2ln","signatureAlgorithm":"SHA256WithRSA/PSS"}})";

inline constexpr char kAmazonNotificationBody[] =
    R"({"Type":"Notification","MessageId":"95df01b4-ee98-5cb9-9903-4c221d41eb5e",)"
    R"("TopicArn":"arn:aws:sns:us-east-1:123456789012:appstore-rtn",)"
    R"("Message":"{\"appPackageName\":\"com.example\",\"notificationType\":\"SUBSCRIPTION_RENEWED\",\"receiptId\":\"amzn-receipt-1\"}",)"
    R"("Timestamp":"2026-11-22T10:00:00.000Z","SignatureVersion":"2","Signature":"c2ln",)"
    R"("SigningCertURL":"https://sns.us-east-1.amazonaws.com/x.pem"})";

inline constexpr char kAmazonConfirmationBody[] =
    R"({"Type":"SubscriptionConfirmation","MessageId":"165545c9-2a5c-472c-8df2-7ff2be2b3b1b",)"
    R"("Token":"2336412f37","TopicArn":"arn:aws:sns:us-east-1:123456789012:appstore-rtn",)"
    R"("Message":"You have chosen to subscribe","SubscribeURL":"https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription",)"
    R"("Timestamp":"2026-11-22T10:00:00.000Z","SignatureVersion":"1","Signature":"c2ln",)"
    R"("SigningCertURL":"https://sns.us-east-1.amazonaws.com/x.pem"})";

inline constexpr char kAppleV1Body[] =
    R"({"notification_type":"DID_RENEW","environment":"Sandbox","password":"s","bid":"com.example",)"
    R"("unified_receipt":{"latest_receipt_info":[{"original_transaction_id":"1000000777",)"
    R"("transaction_id":"1000000999"}]}})";

inline constexpr char kTestConfigYaml[] = R"(
kafka:
  brokers: localhost:9092
  topic_prefix: storewire
apps:
  - id: demo
    apple: {bundle_id: com.example, app_apple_id: 1234}
    google: {package_name: com.example.app, verify_push_token: false}
    huawei: {public_key: MIIB}
    amazon: {topic_arns: [arn:aws:sns:us-east-1:123456789012:appstore-rtn]}
  - id: apple_only
    apple: {bundle_id: com.example.other}
)";

}  // namespace storewire::testing

#endif  // STOREWIRE_TESTS_UNIT_INGRESS_TEST_BODIES_H_
