#include "storewire/stores/huawei/huawei_adapter.h"

#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "storewire/core/log.h"
#include "storewire/stores/huawei/mapping.h"
#include "storewire/stores/huawei/payload.h"
#include "storewire/stores/huawei/signature.h"

namespace storewire::stores::huawei {
namespace {

std::string Key(const AppConfig& app, absl::string_view field) {
  return absl::StrCat("apps[", app.id, "].huawei.", field);
}

NormalizeResult Accept(v1::SubscriptionEvent event) {
  NormalizeResult r;
  r.events.push_back(std::move(event));
  return r;
}

class HuaweiAdapter final : public StoreAdapter {
 public:
  explicit HuaweiAdapter(std::map<std::string, absl::StatusOr<crypto::PublicKey>> keys)
      : keys_(std::move(keys)) {}

  v1::Store store() const override { return v1::STORE_APP_GALLERY; }

  absl::StatusOr<NormalizeResult> Normalize(const v1::RawNotification& raw, const AppConfig& app,
                                            absl::Time /*now*/) const override {
    if (!app.huawei) {
      return NormalizeResult::Reject(
          v1::REJECT_REASON_UNKNOWN_APP,
          absl::StrCat("app '", app.id, "' has no huawei section in the config"));
    }
    auto key = keys_.find(app.id);
    if (key == keys_.end()) {
      return NormalizeResult::Reject(
          v1::REJECT_REASON_UNKNOWN_APP,
          absl::StrCat("app '", app.id,
                       "' was not in the config the Huawei adapter was created with"));
    }
    absl::StatusOr<Notification> n = DecodeNotification(raw.body());
    if (!n.ok()) {
      return NormalizeResult::Reject(v1::REJECT_REASON_MALFORMED,
                                     std::string(n.status().message()));
    }
    if (auto r = CheckApplication(app, n->application_id)) return *r;
    if (n->order) return Accept(MapOrder(*n, *n->order, raw, app.id));

    const SubscriptionEnvelope& sub = *n->subscription;
    if (!key->second.ok()) {
      return NormalizeResult::Reject(v1::REJECT_REASON_UNAUTHENTICATED,
                                     absl::StrCat("cannot verify: ", Key(app, "public_key"), ": ",
                                                  key->second.status().message()));
    }
    absl::Status verified = VerifyNotificationSignature(*key->second, sub.status_update_json,
                                                        sub.signature, sub.signature_algorithm);
    if (!verified.ok()) {
      return NormalizeResult::Reject(
          v1::REJECT_REASON_BAD_SIGNATURE,
          absl::StrCat(verified.message(), verified.code() == absl::StatusCode::kUnauthenticated
                                               ? absl::StrCat("; check ", Key(app, "public_key"))
                                               : ""));
    }
    absl::StatusOr<StatusUpdate> update = DecodeStatusUpdate(sub.status_update_json);
    if (!update.ok()) {
      return NormalizeResult::Reject(v1::REJECT_REASON_MALFORMED,
                                     std::string(update.status().message()));
    }
    if (auto r = CheckApplication(app, update->application_id)) return *r;
    return Accept(MapStatusUpdate(*n, *update, raw, app.id));
  }

 private:
  static std::optional<NormalizeResult> CheckApplication(const AppConfig& app,
                                                         absl::string_view application_id) {
    const std::string& expected = app.huawei->application_id;
    if (expected.empty() || application_id.empty() || application_id == expected) {
      return std::nullopt;
    }
    return NormalizeResult::Reject(
        v1::REJECT_REASON_APP_MISMATCH,
        absl::StrCat("applicationId '", application_id.substr(0, 64), "' does not match ",
                     Key(app, "application_id"), " '", expected, "'"));
  }

  std::map<std::string, absl::StatusOr<crypto::PublicKey>> keys_;
};

}  // namespace

std::unique_ptr<StoreAdapter> MakeHuaweiAdapter(const Config& config) {
  std::map<std::string, absl::StatusOr<crypto::PublicKey>> keys;
  for (const AppConfig& app : config.apps) {
    if (!app.huawei) continue;
    absl::StatusOr<crypto::PublicKey> key = ParseIapPublicKey(app.huawei->public_key);
    if (!key.ok()) {
      log::Warn("Huawei subscription notifications of this app will be rejected",
                {{"app", app.id},
                 {"key", Key(app, "public_key")},
                 {"error", std::string(key.status().message())}});
    }
    keys.emplace(app.id, std::move(key));
  }
  return std::make_unique<HuaweiAdapter>(std::move(keys));
}

}  // namespace storewire::stores::huawei
