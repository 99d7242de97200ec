#include "storewire/stores/google/google_adapter.h"

#include <fstream>
#include <map>
#include <sstream>
#include <unordered_set>

#include "absl/strings/str_cat.h"
#include "storewire/core/log.h"
#include "storewire/stores/google/mapping.h"
#include "storewire/stores/google/notification.h"

namespace storewire::stores::google {
namespace {

std::string CacheKey(const AppConfig& app, const std::string& product_id,
                     const std::string& token) {
  return absl::StrCat(app.id, "|", product_id, "|", token);
}

// A definite API answer that the token cannot be read: a rejection.
NormalizeResult RejectApi(const absl::Status& status, const std::string& token) {
  if (status.code() == absl::StatusCode::kPermissionDenied) {
    return NormalizeResult::Reject(
        v1::REJECT_REASON_APP_MISMATCH,
        absl::StrCat("the Play Developer API refused the purchase (", status.message(),
                     "): check google.package_name and the service account's access"));
  }
  return NormalizeResult::Reject(
      v1::REJECT_REASON_STORE_API_UNAVAILABLE,
      absl::StrCat("the Play Developer API cannot return purchase token ", token.substr(0, 40),
                   "...: ", status.message()));
}

absl::Status AsRetryable(const absl::Status& status) {
  if (status.code() == absl::StatusCode::kDeadlineExceeded) return status;
  return absl::UnavailableError(absl::StrCat("Play Developer API unavailable: ", status.message()));
}

bool IsRetryableHere(const absl::Status& status) {
  // A bad service-account setup is fixed by the operator: keep the record.
  return IsRetryableApiStatus(status) || status.code() == absl::StatusCode::kFailedPrecondition;
}

}  // namespace

GoogleAdapter::GoogleAdapter(PlayApiLookup apis, GoogleAdapterOptions options)
    : apis_(std::move(apis)),
      options_(options),
      fetcher_(options.retry),
      links_(options.link_cache_capacity) {}

absl::StatusOr<std::string> GoogleAdapter::Fetch(const AppConfig& app, const std::string& token,
                                                 const std::string& product_id) const {
  {
    absl::MutexLock lock(&mu_);
    const auto& mine = prefetched_[std::this_thread::get_id()];
    auto it = mine.find(CacheKey(app, product_id, token));
    if (it != mine.end()) return it->second;
  }
  PlayApi* api = apis_(app);
  if (api == nullptr) return absl::FailedPreconditionError("no Play Developer API for this app");
  return std::move(fetcher_.FetchAll({{api, app.google->package_name, token, product_id}})[0]);
}

absl::StatusOr<std::string> GoogleAdapter::ResolveRoot(const AppConfig& app,
                                                       const std::string& token,
                                                       const SubscriptionPurchase& purchase) const {
  if (purchase.linked_purchase_token.empty()) {
    links_.Put(token, token);
    return token;
  }
  if (std::optional<std::string> known = links_.Get(token)) return *known;
  std::vector<std::string> path = {token};
  std::string current = purchase.linked_purchase_token;
  std::string root;
  for (int depth = 0; depth < options_.max_chain_depth && root.empty(); ++depth) {
    if (std::optional<std::string> known = links_.Get(current)) {
      root = *known;
      break;
    }
    path.push_back(current);
    absl::StatusOr<std::string> body = Fetch(app, current, "");
    if (!body.ok()) {
      if (IsRetryableHere(body.status())) return AsRetryable(body.status());
      root = current;  // the predecessor is gone: it is the oldest token there is
      break;
    }
    absl::StatusOr<SubscriptionPurchase> previous = ParseSubscriptionPurchaseV2(*body);
    if (!previous.ok() || previous->linked_purchase_token.empty()) {
      root = current;
      break;
    }
    current = previous->linked_purchase_token;
  }
  if (root.empty()) root = path.back();  // chain longer than max_chain_depth
  for (const std::string& t : path) links_.Put(t, root);
  return root;
}

void GoogleAdapter::MaybeAcknowledge(const AppConfig& app, const std::string& token,
                                     const SubscriptionPurchase& purchase,
                                     int notification_type) const {
  if (!app.google->acknowledge_purchases) return;
  if (purchase.acknowledgement_state != "ACKNOWLEDGEMENT_STATE_PENDING") return;
  if (purchase.state != "SUBSCRIPTION_STATE_ACTIVE" &&
      purchase.state != "SUBSCRIPTION_STATE_IN_GRACE_PERIOD") {
    return;
  }
  if (purchase.line_items.empty() || purchase.line_items[0].product_id.empty()) return;
  PlayApi* api = apis_(app);
  if (api == nullptr) return;
  // Best effort: an acknowledge that fails is tried again by the next
  // notification of the purchase; Google refunds only after 3 days.
  api->AcknowledgeSubscription(
      app.google->package_name, purchase.line_items[0].product_id, token,
      [app_id = app.id](absl::StatusOr<std::string> r) {
        if (!r.ok()) {
          log::Warn("acknowledge failed", {{"app", app_id}, {"error", r.status().ToString()}});
        }
      });
}

void GoogleAdapter::Prefetch(const std::vector<PrefetchItem>& items) const {
  std::vector<FetchRequest> requests;
  std::vector<std::string> keys;
  std::unordered_set<std::string> seen;
  std::map<std::string, const AppConfig*> app_of_key;
  auto add = [&](const AppConfig& app, const std::string& token, const std::string& product) {
    std::string key = CacheKey(app, product, token);
    if (!seen.insert(key).second) return;
    PlayApi* api = apis_(app);
    if (api == nullptr) return;
    requests.push_back({api, app.google->package_name, token, product});
    keys.push_back(key);
    app_of_key[key] = &app;
  };
  for (const PrefetchItem& item : items) {
    if (item.raw == nullptr || item.app == nullptr || !item.app->google) continue;
    absl::StatusOr<PushMessage> push = ParsePushRequest(item.raw->body());
    if (!push.ok()) continue;
    absl::StatusOr<DeveloperNotification> n = ParseDeveloperNotification(push->data);
    if (!n.ok() || n->package_name != item.app->google->package_name) continue;
    if (n->kind == NotificationKind::kSubscription) add(*item.app, n->purchase_token, "");
    if (n->kind == NotificationKind::kOneTimeProduct) add(*item.app, n->purchase_token, n->sku);
  }
  std::unordered_map<std::string, absl::StatusOr<std::string>> fetched;
  // Level by level: the notifications' purchases, then the linked purchases
  // that the link cache does not know yet, and so on (bounded).
  for (int level = 0; !requests.empty() && level <= options_.max_chain_depth; ++level) {
    std::vector<absl::StatusOr<std::string>> bodies = fetcher_.FetchAll(requests);
    std::vector<FetchRequest> next_requests;
    std::vector<std::string> next_keys;
    for (size_t i = 0; i < bodies.size(); ++i) {
      if (bodies[i].ok() && requests[i].product_id.empty()) {
        absl::StatusOr<SubscriptionPurchase> p = ParseSubscriptionPurchaseV2(*bodies[i]);
        if (p.ok() && !p->linked_purchase_token.empty() &&
            !links_.Get(p->linked_purchase_token).has_value()) {
          const AppConfig& app = *app_of_key[keys[i]];
          std::string key = CacheKey(app, "", p->linked_purchase_token);
          if (seen.insert(key).second) {
            next_requests.push_back(
                {requests[i].api, requests[i].package, p->linked_purchase_token, ""});
            next_keys.push_back(key);
            app_of_key[key] = &app;
          }
        }
      }
      fetched.insert_or_assign(keys[i], std::move(bodies[i]));
    }
    requests = std::move(next_requests);
    keys = std::move(next_keys);
  }
  absl::MutexLock lock(&mu_);
  prefetched_[std::this_thread::get_id()] = std::move(fetched);
}

absl::StatusOr<NormalizeResult> GoogleAdapter::Normalize(const v1::RawNotification& raw,
                                                         const AppConfig& app,
                                                         absl::Time now) const {
  if (!app.google) {
    return NormalizeResult::Reject(
        v1::REJECT_REASON_UNKNOWN_APP,
        absl::StrCat("app '", app.id, "' has no google section in the config"));
  }
  absl::StatusOr<PushMessage> push = ParsePushRequest(raw.body());
  if (!push.ok()) {
    return NormalizeResult::Reject(v1::REJECT_REASON_MALFORMED,
                                   std::string(push.status().message()));
  }
  absl::StatusOr<DeveloperNotification> n = ParseDeveloperNotification(push->data);
  if (!n.ok()) {
    return NormalizeResult::Reject(v1::REJECT_REASON_MALFORMED, std::string(n.status().message()));
  }
  if (n->package_name != app.google->package_name) {
    return NormalizeResult::Reject(
        v1::REJECT_REASON_APP_MISMATCH,
        absl::StrCat("packageName '", n->package_name.substr(0, 200), "' does not match apps[",
                     app.id, "].google.package_name '", app.google->package_name, "'"));
  }
  MappingInput in{.app_id = app.id,
                  .message_id = push->message_id,
                  .publish_time = push->publish_time,
                  .notification = &*n};
  NormalizeResult result;
  switch (n->kind) {
    case NotificationKind::kTest:
      break;
    case NotificationKind::kVoidedPurchase:
      in.subscription_key = links_.Get(n->purchase_token).value_or(n->purchase_token);
      break;
    case NotificationKind::kSubscription: {
      absl::StatusOr<std::string> body = Fetch(app, n->purchase_token, "");
      if (!body.ok()) {
        if (IsRetryableHere(body.status())) return AsRetryable(body.status());
        return RejectApi(body.status(), n->purchase_token);
      }
      absl::StatusOr<SubscriptionPurchase> purchase = ParseSubscriptionPurchaseV2(*body);
      if (!purchase.ok()) {
        return absl::UnavailableError(absl::StrCat(
            "Play Developer API answered an unreadable purchase: ", purchase.status().message()));
      }
      absl::StatusOr<std::string> root = ResolveRoot(app, n->purchase_token, *purchase);
      if (!root.ok()) return root.status();
      in.subscription_key = *root;
      in.subscription = &*purchase;
      result.events.push_back(MapNotification(in));
      MaybeAcknowledge(app, n->purchase_token, *purchase, n->notification_type);
      return result;
    }
    case NotificationKind::kOneTimeProduct: {
      absl::StatusOr<std::string> body = Fetch(app, n->purchase_token, n->sku);
      if (!body.ok()) {
        if (IsRetryableHere(body.status())) return AsRetryable(body.status());
        return RejectApi(body.status(), n->purchase_token);
      }
      absl::StatusOr<ProductPurchase> product = ParseProductPurchase(*body);
      if (!product.ok()) {
        return absl::UnavailableError(absl::StrCat(
            "Play Developer API answered an unreadable purchase: ", product.status().message()));
      }
      in.subscription_key = n->purchase_token;
      in.product = &*product;
      result.events.push_back(MapNotification(in));
      return result;
    }
  }
  result.events.push_back(MapNotification(in));
  return result;
}

namespace {

// What MakeGoogleAdapter owns: the client and the per-app API objects.
struct Resources {
  std::unique_ptr<http::Client> client;
  std::map<std::string, std::unique_ptr<AccessTokenSource>> tokens;
  std::map<std::string, std::unique_ptr<PlayApi>> apis;
  ~Resources() {
    apis.clear();
    tokens.clear();
    client.reset();  // joins the I/O thread before the objects it calls back into go
  }
};

}  // namespace

absl::StatusOr<std::unique_ptr<StoreAdapter>> MakeGoogleAdapter(const Config& config) {
  auto resources = std::make_shared<Resources>();
  resources->client =
      http::MakeCurlClient({.max_connections_per_host = 256, .max_total_connections = 512});
  for (const AppConfig& app : config.apps) {
    if (!app.google) continue;
    AccessTokenSource* tokens = nullptr;
    if (!app.google->service_account_key_file.empty()) {
      std::ifstream in(app.google->service_account_key_file);
      std::stringstream text;
      text << in.rdbuf();
      if (!in) {
        return absl::FailedPreconditionError(
            absl::StrCat("apps[", app.id, "].google.service_account_key_file '",
                         app.google->service_account_key_file, "' cannot be read"));
      }
      absl::StatusOr<std::unique_ptr<AccessTokenSource>> source = MakeServiceAccountTokenSource(
          text.str(), app.google->oauth_token_url, *resources->client, SystemClock::Get());
      if (!source.ok()) {
        return absl::FailedPreconditionError(
            absl::StrCat("apps[", app.id, "].google: ", source.status().message()));
      }
      tokens = source->get();
      resources->tokens[app.id] = *std::move(source);
    }
    resources->apis[app.id] =
        MakeHttpPlayApi(app.google->play_api_base_url, *resources->client, tokens);
  }
  return std::make_unique<GoogleAdapter>([resources](const AppConfig& app) -> PlayApi* {
    auto it = resources->apis.find(app.id);
    return it == resources->apis.end() ? nullptr : it->second.get();
  });
}

}  // namespace storewire::stores::google
