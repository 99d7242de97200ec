// Amazon SNS HTTPS messages (what carries Amazon Appstore real-time
// notifications): parsing, the string to sign, signature verification, and the
// cheap checks the ingress runs at the door.
//
//   absl::StatusOr<SnsMessage> m = ParseSnsMessage(body);
//   std::string to_sign = StringToSign(*m);
//   absl::Status s = VerifySnsSignature(*m, signing_certificate);
//
// String to sign: "Key\nValue\n" for Message, MessageId, Subject (only when
// present), Timestamp, TopicArn, Type (Notification); Message, MessageId,
// SubscribeURL, Timestamp, Token, TopicArn, Type (SubscriptionConfirmation and
// UnsubscribeConfirmation). SignatureVersion 1 = SHA1withRSA, 2 =
// SHA256withRSA (RSASSA-PKCS1-v1_5); Signature is base64.
// Errors: ParseSnsMessage kInvalidArgument (not the SNS shape); VerifySnsSignature
// kInvalidArgument (unknown version, signature not base64, not an RSA key),
// kUnauthenticated (does not verify).
// Thread safety: pure functions.
#ifndef STOREWIRE_STORES_AMAZON_SNS_H_
#define STOREWIRE_STORES_AMAZON_SNS_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "storewire/core/config.h"
#include "storewire/crypto/x509.h"

namespace storewire::stores::amazon {

struct SnsMessage {
  std::string type;  // Notification | SubscriptionConfirmation | UnsubscribeConfirmation
  std::string message_id, topic_arn, message, timestamp;
  std::optional<std::string> subject;
  std::string signature_version, signature, signing_cert_url;
  std::string subscribe_url, unsubscribe_url, token;

  bool IsNotification() const { return type == "Notification"; }
  bool IsConfirmation() const {
    return type == "SubscriptionConfirmation" || type == "UnsubscribeConfirmation";
  }
  // The Timestamp (ISO 8601, UTC), when it parses.
  std::optional<absl::Time> Time() const;
};

absl::StatusOr<SnsMessage> ParseSnsMessage(absl::string_view body);
std::string StringToSign(const SnsMessage& message);
absl::Status VerifySnsSignature(const SnsMessage& message, const crypto::Certificate& certificate);

// Whether `url` matches the ECMAScript regular expression `pattern` in full
// (the config's signing_cert_url_pattern / subscribe_url_pattern). A pattern
// that does not compile matches nothing. URLs over 2048 bytes never match.
// Patterns are compiled once and cached (at most 256 distinct ones).
bool UrlAllowed(absl::string_view url, const std::string& pattern);

// The checks the ingress can make without I/O, answered 401 when they fail:
// SNS shape with a known Type, SignatureVersion 1 or 2, a Signature, TopicArn
// among apps[].amazon.topic_arns, SigningCertURL matching
// signing_cert_url_pattern. The signature itself is verified by the normalizer
// (see libs/stores/amazon/README.md). kUnauthenticated with the reason.
absl::Status CheckAtDoor(const AmazonAppConfig& amazon, absl::string_view body);

}  // namespace storewire::stores::amazon

#endif  // STOREWIRE_STORES_AMAZON_SNS_H_
