#include "storewire/ingress/envelope.h"

#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "rapidjson/document.h"
#include "rapidjson/error/en.h"

namespace storewire::ingress {
namespace {

using rapidjson::Value;

// Iterative parsing: a deeply nested body cannot exhaust the stack. The
// default pool allocator frees without recursion too.
constexpr unsigned kParseFlags =
    rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag;

absl::Status ParseJson(absl::string_view text, rapidjson::Document& doc) {
  doc.Parse<kParseFlags>(text.data(), text.size());
  if (doc.HasParseError()) {
    return absl::InvalidArgumentError(
        absl::StrCat("not JSON: ", rapidjson::GetParseError_En(doc.GetParseError()), " at byte ",
                     doc.GetErrorOffset()));
  }
  if (!doc.IsObject()) return absl::InvalidArgumentError("not a JSON object");
  return absl::OkStatus();
}

const Value* Member(const Value* object, const char* name) {
  if (object == nullptr || !object->IsObject()) return nullptr;
  auto it = object->FindMember(name);
  return it == object->MemberEnd() ? nullptr : &it->value;
}

const Value* Path(const Value* v, std::initializer_list<const char*> names) {
  for (const char* name : names) v = Member(v, name);
  return v;
}

std::optional<absl::string_view> String(const Value* v) {
  if (v == nullptr || !v->IsString()) return std::nullopt;
  return absl::string_view(v->GetString(), v->GetStringLength());
}

// Ids are strings in every store's documents, but tolerate integers.
std::optional<std::string> Id(const Value* v) {
  if (v == nullptr) return std::nullopt;
  std::string out;
  if (v->IsString()) {
    out.assign(v->GetString(), v->GetStringLength());
  } else if (v->IsUint64()) {
    out = absl::StrCat(v->GetUint64());
  } else if (v->IsInt64()) {
    out = absl::StrCat(v->GetInt64());
  } else {
    return std::nullopt;
  }
  if (out.empty() || out.size() > kMaxPartitionKeyBytes) return std::nullopt;
  return out;
}

// The decoded payload (middle part) of a compact JWS, parsed as JSON.
bool DecodeJwsPayload(absl::string_view jws, rapidjson::Document& doc) {
  std::vector<absl::string_view> parts = absl::StrSplit(jws, '.');
  if (parts.size() != 3) return false;
  std::string payload;
  if (!absl::WebSafeBase64Unescape(parts[1], &payload)) return false;
  return ParseJson(payload, doc).ok();
}

std::string AppleV2Key(const Value& root) {
  rapidjson::Document notification;
  if (!DecodeJwsPayload(*String(Member(&root, "signedPayload")), notification)) return "";
  if (auto info = String(Path(&notification, {"data", "signedTransactionInfo"}))) {
    rapidjson::Document transaction;
    if (DecodeJwsPayload(*info, transaction)) {
      if (auto id = Id(Member(&transaction, "originalTransactionId"))) return *id;
    }
  }
  return Id(Member(&notification, "notificationUUID")).value_or("");
}

std::string AppleV1Key(const Value& root) {
  const Value* latest = Path(&root, {"unified_receipt", "latest_receipt_info"});
  if (latest != nullptr && latest->IsArray() && !latest->Empty()) {
    if (auto id = Id(Member(&(*latest)[0], "original_transaction_id"))) return *id;
  }
  return Id(Member(&root, "original_transaction_id")).value_or("");
}

std::string GoogleKey(const Value& root) {
  const Value* message = Member(&root, "message");
  std::string decoded;
  absl::string_view data = *String(Member(message, "data"));
  if (absl::Base64Unescape(data, &decoded) || absl::WebSafeBase64Unescape(data, &decoded)) {
    rapidjson::Document notification;
    if (ParseJson(decoded, notification).ok()) {
      for (const char* kind : {"subscriptionNotification", "oneTimeProductNotification",
                               "voidedPurchaseNotification"}) {
        if (auto token = Id(Path(&notification, {kind, "purchaseToken"}))) return *token;
      }
    }
  }
  if (auto id = Id(Member(message, "messageId"))) return *id;
  return Id(Member(message, "message_id")).value_or("");
}

std::string HuaweiKey(const Value& root) {
  if (auto token = Id(Path(&root, {"orderNotification", "purchaseToken"}))) return *token;
  std::optional<absl::string_view> status =
      String(Path(&root, {"subNotification", "statusUpdateNotification"}));
  if (!status) status = String(Member(&root, "statusUpdateNotification"));
  if (status) {
    rapidjson::Document update;
    if (ParseJson(*status, update).ok()) {
      for (const char* name : {"purchaseToken", "subscriptionId", "orderId"}) {
        if (auto id = Id(Member(&update, name))) return *id;
      }
    }
  }
  return "";
}

std::string AmazonKey(const Value& root) {
  if (auto message = String(Member(&root, "Message"))) {
    rapidjson::Document inner;
    if (ParseJson(*message, inner).ok()) {
      if (auto receipt = Id(Member(&inner, "receiptId"))) return *receipt;
    }
  }
  return Id(Member(&root, "MessageId")).value_or("");
}

absl::Status NotShape(absl::string_view store, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("not a ", store, " notification: ", what));
}

}  // namespace

absl::StatusOr<Envelope> InspectEnvelope(v1::Store store, absl::string_view body) {
  if (body.empty()) return absl::InvalidArgumentError("empty body");
  rapidjson::Document doc;
  if (absl::Status s = ParseJson(body, doc); !s.ok()) return s;

  Envelope envelope;
  switch (store) {
    case v1::STORE_APP_STORE:
      if (auto payload = String(Member(&doc, "signedPayload")); payload && !payload->empty()) {
        envelope.kind = "apple_v2";
        envelope.partition_key = AppleV2Key(doc);
      } else if (String(Member(&doc, "notification_type"))) {
        envelope.kind = "apple_v1";
        envelope.partition_key = AppleV1Key(doc);
      } else {
        return NotShape("Apple", "neither signedPayload (V2) nor notification_type (V1)");
      }
      break;
    case v1::STORE_PLAY_STORE:
      if (!String(Path(&doc, {"message", "data"}))) {
        return NotShape("Pub/Sub push", "no message.data string");
      }
      envelope.kind = "google_pubsub";
      envelope.partition_key = GoogleKey(doc);
      break;
    case v1::STORE_APP_GALLERY: {
      const Value* order = Member(&doc, "orderNotification");
      if (order != nullptr && order->IsObject()) {
        envelope.kind = "huawei_order";
      } else if (String(Path(&doc, {"subNotification", "statusUpdateNotification"})) ||
                 String(Member(&doc, "statusUpdateNotification"))) {
        envelope.kind = "huawei_subscription";
      } else {
        return NotShape("Huawei",
                        "neither orderNotification nor subNotification.statusUpdateNotification");
      }
      envelope.partition_key = HuaweiKey(doc);
      break;
    }
    case v1::STORE_AMAZON_APPSTORE:
      if (!String(Member(&doc, "Type")) || !String(Member(&doc, "MessageId"))) {
        return NotShape("SNS", "no Type and MessageId strings");
      }
      envelope.kind = "amazon_sns";
      envelope.partition_key = AmazonKey(doc);
      break;
    default:
      return absl::InvalidArgumentError("unknown store");
  }
  return envelope;
}

}  // namespace storewire::ingress
