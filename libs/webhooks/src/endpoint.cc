#include "storewire/webhooks/endpoint.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/time_util.h"
#include "storewire/core/stores.h"

namespace storewire::webhooks {
namespace {

std::string ShortTypeName(v1::EventType type) {
  return EnumSuffix(v1::EventType_Name(type), "EVENT_TYPE_");
}

absl::Time ToTime(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

}  // namespace

bool Matches(const v1::EndpointFilter& filter, const v1::SubscriptionEvent& event) {
  if (!filter.event_types().empty()) {
    const std::string type = ShortTypeName(event.type());
    if (std::find(filter.event_types().begin(), filter.event_types().end(), type) ==
        filter.event_types().end()) {
      return false;
    }
  }
  if (!filter.app_ids().empty() && std::find(filter.app_ids().begin(), filter.app_ids().end(),
                                             event.app_id()) == filter.app_ids().end()) {
    return false;
  }
  if (!filter.environments().empty() &&
      std::find(filter.environments().begin(), filter.environments().end(), event.environment()) ==
          filter.environments().end()) {
    return false;
  }
  return true;
}

absl::Status NormalizeFilter(v1::EndpointFilter& filter) {
  for (std::string& type : *filter.mutable_event_types()) {
    std::string upper = absl::AsciiStrToUpper(type);
    if (!absl::StartsWith(upper, "EVENT_TYPE_")) upper = "EVENT_TYPE_" + upper;
    v1::EventType parsed;
    if (!v1::EventType_Parse(upper, &parsed) || parsed == v1::EVENT_TYPE_UNSPECIFIED) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown event type '", type, "' (e.g. RENEWED, EXPIRED, TEST)"));
    }
    type = ShortTypeName(parsed);
  }
  for (int env : filter.environments()) {
    if (env != v1::ENVIRONMENT_PRODUCTION && env != v1::ENVIRONMENT_SANDBOX) {
      return absl::InvalidArgumentError("environment filter must be PRODUCTION or SANDBOX");
    }
  }
  return absl::OkStatus();
}

std::vector<std::string> ActiveSecrets(const v1::WebhookEndpoint& endpoint, absl::Time now) {
  std::vector<std::string> secrets = {endpoint.secret()};
  if (!endpoint.previous_secret().empty() && ToTime(endpoint.previous_secret_expires_at()) > now) {
    secrets.push_back(endpoint.previous_secret());
  }
  return secrets;
}

absl::Status ValidateUrl(const std::string& url) {
  absl::string_view rest = url;
  if (!absl::ConsumePrefix(&rest, "https://") && !absl::ConsumePrefix(&rest, "http://")) {
    return absl::InvalidArgumentError(
        absl::StrCat("endpoint URL '", url, "' must start with https:// or http://"));
  }
  if (rest.empty() || rest[0] == '/' || rest[0] == ':' || rest[0] == '?') {
    return absl::InvalidArgumentError(absl::StrCat("endpoint URL '", url, "' has no host"));
  }
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError("endpoint URL contains spaces or control characters");
    }
  }
  return absl::OkStatus();
}

v1::WebhookEndpoint Redacted(const v1::WebhookEndpoint& endpoint) {
  v1::WebhookEndpoint copy = endpoint;
  copy.clear_secret();
  copy.clear_previous_secret();
  // A forward's configured headers often carry the receiver's credentials.
  for (auto& [name, value] : *copy.mutable_forward()->mutable_headers()) value = "<redacted>";
  if (!endpoint.has_forward()) copy.clear_forward();
  return copy;
}

const std::string& DeliveryId(const v1::WebhookDelivery& delivery) {
  return delivery.has_raw() ? delivery.raw().request_id() : delivery.event().id();
}

const std::string& RequestId(const v1::WebhookDelivery& delivery) {
  return delivery.has_raw() ? delivery.raw().request_id() : delivery.event().request_id();
}

const google::protobuf::Timestamp& ReceivedAt(const v1::WebhookDelivery& delivery) {
  return delivery.has_raw() ? delivery.raw().received_at() : delivery.event().received_at();
}

}  // namespace storewire::webhooks
