#include "storewire/webhooks/forward.h"

#include <algorithm>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "storewire/core/stores.h"

namespace storewire::webhooks {

std::string ForwardEndpointId(absl::string_view app_id, v1::Store store) {
  return absl::StrCat("fwd_", app_id, "_", StoreRouteName(store));
}

std::vector<v1::WebhookEndpoint> ForwardEndpoints(const Config& config) {
  std::vector<v1::WebhookEndpoint> out;
  for (const AppConfig& app : config.apps) {
    for (const auto& [route, forward] : app.forwards) {
      const std::optional<v1::Store> store = StoreFromRouteName(route);
      if (!store.has_value()) continue;  // the config reader only knows the four stores
      v1::WebhookEndpoint& e = out.emplace_back();
      e.set_id(ForwardEndpointId(app.id, *store));
      e.set_url(forward.url);
      e.set_description(absl::StrCat("raw forward of apps[", app.id, "].", route, ".forward"));
      e.set_max_in_flight(forward.max_in_flight);
      v1::RawForward& f = *e.mutable_forward();
      f.set_app_id(app.id);
      f.set_store(*store);
      for (const auto& [name, value] : forward.headers) (*f.mutable_headers())[name] = value;
    }
  }
  return out;
}

std::vector<std::string> ForwardedRawTopics(const Config& config) {
  const Topics topics(config.kafka.topic_prefix);
  std::vector<std::string> out;
  for (const v1::WebhookEndpoint& e : ForwardEndpoints(config)) {
    out.push_back(topics.Raw(e.forward().store()));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

http::HeaderList ForwardHeaders(const v1::RawForward& forward, const v1::RawNotification& raw) {
  // Lower-cased names so that a configured header replaces a recorded one.
  std::map<std::string, std::pair<std::string, std::string>> by_name;
  for (const auto& [name, value] : raw.headers()) {
    by_name[absl::AsciiStrToLower(name)] = {name, value};
  }
  for (const auto& [name, value] : forward.headers()) {
    by_name[absl::AsciiStrToLower(name)] = {name, value};
  }
  by_name["storewire-request-id"] = {"storewire-request-id", raw.request_id()};
  by_name["storewire-app-id"] = {"storewire-app-id", raw.app_id()};
  http::HeaderList out;
  for (auto& [lower, header] : by_name) out.push_back(std::move(header));
  return out;
}

}  // namespace storewire::webhooks
