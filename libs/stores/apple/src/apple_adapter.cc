#include "storewire/stores/apple/apple_adapter.h"

#include <rapidjson/document.h>

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "storewire/crypto/digest.h"
#include "storewire/crypto/jws.h"
#include "storewire/stores/apple/mapping.h"
#include "storewire/stores/apple/payload.h"
#include "storewire/stores/apple/trust.h"
#include "storewire/stores/apple/verifier.h"

namespace storewire::stores::apple {
namespace {

NormalizeResult Reject(v1::RejectReason reason, std::string detail) {
  return NormalizeResult::Reject(reason, std::move(detail));
}

NormalizeResult Accept(v1::SubscriptionEvent event) {
  NormalizeResult r;
  r.events.push_back(std::move(event));
  return r;
}

std::string Key(const AppConfig& app, absl::string_view field) {
  return absl::StrCat("apps[", app.id, "].apple.", field);
}

// bundleId, then appAppleId, then environment, like Apple's libraries.
// appAppleId: must be present and match in Production; when the payload
// carries one in Sandbox it must match too (stricter than the libraries).
std::optional<Rejection> CheckApp(const AppConfig& app, absl::string_view what,
                                  absl::string_view bundle_id, std::optional<int64_t> app_apple_id,
                                  absl::string_view environment) {
  const AppleAppConfig& apple = *app.apple;
  if (bundle_id.empty()) {
    return Rejection{v1::REJECT_REASON_APP_MISMATCH,
                     absl::StrCat(what, " carries no bundleId; expected ", Key(app, "bundle_id"),
                                  " '", apple.bundle_id, "'")};
  }
  if (bundle_id != apple.bundle_id) {
    return Rejection{v1::REJECT_REASON_APP_MISMATCH,
                     absl::StrCat(what, " bundleId '", bundle_id, "' does not match ",
                                  Key(app, "bundle_id"), " '", apple.bundle_id, "'")};
  }
  if (app_apple_id && apple.app_apple_id != 0 && *app_apple_id != apple.app_apple_id) {
    return Rejection{v1::REJECT_REASON_APP_MISMATCH,
                     absl::StrCat(what, " appAppleId ", *app_apple_id, " does not match ",
                                  Key(app, "app_apple_id"), " ", apple.app_apple_id)};
  }
  if (environment == "Production" && (!app_apple_id || apple.app_apple_id == 0)) {
    return Rejection{v1::REJECT_REASON_APP_MISMATCH,
                     apple.app_apple_id == 0
                         ? absl::StrCat("Production ", what, " but ", Key(app, "app_apple_id"),
                                        " is not set (required to verify Production notifications)")
                         : absl::StrCat("Production ", what, " carries no appAppleId; expected ",
                                        Key(app, "app_apple_id"), " ", apple.app_apple_id)};
  }
  if (environment.empty()) {
    return Rejection{v1::REJECT_REASON_ENVIRONMENT_MISMATCH,
                     absl::StrCat(what, " carries no environment")};
  }
  if (std::find(apple.environments.begin(), apple.environments.end(), environment) ==
      apple.environments.end()) {
    return Rejection{
        v1::REJECT_REASON_ENVIRONMENT_MISMATCH,
        absl::StrCat(what, " environment '", environment, "' is not in ", Key(app, "environments"),
                     " [", absl::StrJoin(apple.environments, ", "), "]")};
  }
  return std::nullopt;
}

std::optional<Rejection> CheckNested(const AppConfig& app, absl::string_view what,
                                     absl::string_view bundle_id, absl::string_view environment,
                                     absl::string_view outer_environment) {
  if (!bundle_id.empty() && bundle_id != app.apple->bundle_id) {
    return Rejection{v1::REJECT_REASON_APP_MISMATCH,
                     absl::StrCat(what, " bundleId '", bundle_id, "' does not match ",
                                  Key(app, "bundle_id"), " '", app.apple->bundle_id, "'")};
  }
  if (environment != outer_environment) {
    return Rejection{v1::REJECT_REASON_ENVIRONMENT_MISMATCH,
                     absl::StrCat(what, " environment '", environment,
                                  "' differs from the notification's '", outer_environment, "'")};
  }
  return std::nullopt;
}

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// The V2 body Apple sends, {"signedPayload":"<JWS>"}, read without building a
// DOM (a JSON parser would copy the ~10 KiB JWS character by character). Only
// that exact shape, with optional whitespace and a string without escapes,
// is recognised here; anything else returns nullopt and takes the general
// parser. The string is not otherwise checked: the strict base64url decoding
// of the JWS rejects every character a JSON string could still hold.
std::optional<absl::string_view> PlainSignedPayload(absl::string_view body) {
  size_t i = 0;
  auto skip_space = [&] {
    while (i < body.size() && IsJsonSpace(body[i])) ++i;
  };
  auto expect = [&](absl::string_view token) {
    skip_space();
    if (body.substr(i, token.size()) != token) return false;
    i += token.size();
    return true;
  };
  if (!expect("{") || !expect("\"signedPayload\"") || !expect(":") || !expect("\"")) {
    return std::nullopt;
  }
  const size_t end = body.find('"', i);
  if (end == absl::string_view::npos) return std::nullopt;
  const absl::string_view jws = body.substr(i, end - i);
  if (jws.find('\\') != absl::string_view::npos) return std::nullopt;
  i = end + 1;
  if (!expect("}")) return std::nullopt;
  skip_space();
  if (i != body.size()) return std::nullopt;
  return jws;
}

class AppleAdapter final : public StoreAdapter {
 public:
  AppleAdapter(absl::flat_hash_map<std::string, std::unique_ptr<SignedDataVerifier>> verifiers,
               std::unique_ptr<OcspClient> owned_ocsp)
      : owned_ocsp_(std::move(owned_ocsp)), verifiers_(std::move(verifiers)) {}

  v1::Store store() const override { return v1::STORE_APP_STORE; }

  absl::StatusOr<NormalizeResult> Normalize(const v1::RawNotification& raw, const AppConfig& app,
                                            absl::Time now) const override {
    if (!app.apple) {
      return Reject(v1::REJECT_REASON_UNKNOWN_APP,
                    absl::StrCat("app '", app.id, "' has no apple section in the config"));
    }
    auto it = verifiers_.find(app.id);
    if (it == verifiers_.end()) {
      return Reject(v1::REJECT_REASON_UNKNOWN_APP,
                    absl::StrCat("app '", app.id,
                                 "' was not in the config the Apple adapter was created with"));
    }
    if (std::optional<absl::string_view> jws = PlainSignedPayload(raw.body())) {
      return NormalizeV2(*jws, raw, app, *it->second, now);
    }
    rapidjson::Document body;
    body.Parse(raw.body().data(), raw.body().size());
    if (body.HasParseError() || !body.IsObject()) {
      return Reject(v1::REJECT_REASON_MALFORMED, "body is not a JSON object");
    }
    if (auto sp = body.FindMember("signedPayload"); sp != body.MemberEnd()) {
      if (!sp->value.IsString()) {
        return Reject(v1::REJECT_REASON_MALFORMED, "body signedPayload is not a string");
      }
      return NormalizeV2(absl::string_view(sp->value.GetString(), sp->value.GetStringLength()), raw,
                         app, *it->second, now);
    }
    if (body.HasMember("notification_type")) return NormalizeV1(raw, app);
    return Reject(v1::REJECT_REASON_MALFORMED,
                  "body has neither signedPayload (V2) nor notification_type (V1)");
  }

 private:
  // The outer JWS is parsed once and its payload decoded once; the decoded
  // signedDate feeds the chain check (the signature covers it). Nested JWS
  // with the outer's chain are covered by the outer signature
  // (SignedDataVerifier::CheckNested).
  absl::StatusOr<NormalizeResult> NormalizeV2(absl::string_view signed_payload,
                                              const v1::RawNotification& raw, const AppConfig& app,
                                              const SignedDataVerifier& verifier,
                                              absl::Time now) const {
    auto outer = crypto::ParseCompactJws(signed_payload);
    if (!outer.ok()) {
      return Reject(v1::REJECT_REASON_MALFORMED,
                    absl::StrCat("signedPayload: signed data is not a compact JWS: ",
                                 outer.status().message()));
    }
    auto n = DecodeNotificationV2(outer->payload);
    if (!n.ok()) return Reject(v1::REJECT_REASON_MALFORMED, std::string(n.status().message()));
    auto checked = verifier.Check(*outer, n->signed_date, now);
    if (!checked.ok()) return checked.status();
    if (*checked) return Reject((*checked)->reason, "signedPayload: " + (*checked)->detail);
    const std::string environment = n->Environment();
    if (auto r = CheckApp(app, "notification", n->BundleId(), n->AppAppleId(), environment)) {
      return Reject(r->reason, std::move(r->detail));
    }
    std::optional<TransactionInfo> tx;
    std::optional<RenewalInfo> renewal;
    if (n->data && !n->data->signed_transaction_info.empty()) {
      auto r = VerifyNested("signedTransactionInfo", n->data->signed_transaction_info, *outer,
                            &DecodeTransactionInfo, verifier, now, tx);
      if (!r.ok()) return r.status();
      if (*r) return Reject((*r)->reason, std::move((*r)->detail));
      if (auto r = CheckNested(app, "signedTransactionInfo",
                               tx->bundle_id.empty() ? "<none>" : tx->bundle_id, tx->environment,
                               environment)) {
        return Reject(r->reason, std::move(r->detail));
      }
    }
    if (n->data && !n->data->signed_renewal_info.empty()) {
      auto r = VerifyNested("signedRenewalInfo", n->data->signed_renewal_info, *outer,
                            &DecodeRenewalInfo, verifier, now, renewal);
      if (!r.ok()) return r.status();
      if (*r) return Reject((*r)->reason, std::move((*r)->detail));
      // Renewal info has no bundleId; its environment must match.
      if (auto r = CheckNested(app, "signedRenewalInfo", "", renewal->environment, environment)) {
        return Reject(r->reason, std::move(r->detail));
      }
      if (tx && !renewal->original_transaction_id.empty() &&
          renewal->original_transaction_id != tx->original_transaction_id) {
        return Reject(v1::REJECT_REASON_MALFORMED,
                      absl::StrCat("signedRenewalInfo originalTransactionId '",
                                   renewal->original_transaction_id,
                                   "' differs from signedTransactionInfo's '",
                                   tx->original_transaction_id, "'"));
      }
    }
    return Accept(MapNotificationV2(*n, tx, renewal, raw, app.id));
  }

  // Parses and decodes one nested JWS into `out` and checks its signature
  // (SignedDataVerifier::CheckNested). OK(rejection) on a permanent failure.
  template <typename T>
  static absl::StatusOr<std::optional<Rejection>> VerifyNested(
      const char* what, absl::string_view text, const crypto::CompactJws& outer,
      absl::StatusOr<T> (*decode)(absl::string_view), const SignedDataVerifier& verifier,
      absl::Time now, std::optional<T>& out) {
    auto jws = crypto::ParseCompactJwsWithKnownHeader(text, outer);
    if (!jws.ok()) {
      return std::optional<Rejection>(Rejection{
          v1::REJECT_REASON_MALFORMED,
          absl::StrCat(what, ": signed data is not a compact JWS: ", jws.status().message())});
    }
    auto decoded = decode(jws->payload);
    if (!decoded.ok()) {
      return std::optional<Rejection>(
          Rejection{v1::REJECT_REASON_MALFORMED, std::string(decoded.status().message())});
    }
    auto checked = verifier.CheckNested(*jws, outer, decoded->signed_date, now);
    if (!checked.ok()) return checked.status();
    if (*checked) {
      return std::optional<Rejection>(
          Rejection{(*checked)->reason, absl::StrCat(what, ": ", (*checked)->detail)});
    }
    out = *std::move(decoded);
    return std::optional<Rejection>();
  }

  NormalizeResult NormalizeV1(const v1::RawNotification& raw, const AppConfig& app) const {
    auto n = DecodeNotificationV1(raw.body());
    if (!n.ok()) return Reject(v1::REJECT_REASON_MALFORMED, std::string(n.status().message()));
    const AppleAppConfig& apple = *app.apple;
    if (apple.shared_secret.empty()) {
      return Reject(v1::REJECT_REASON_UNAUTHENTICATED,
                    absl::StrCat("V1 notification but ", Key(app, "shared_secret"),
                                 " is not set; cannot authenticate it"));
    }
    if (!crypto::ConstantTimeEquals(crypto::Sha256(n->password),
                                    crypto::Sha256(apple.shared_secret))) {
      return Reject(v1::REJECT_REASON_UNAUTHENTICATED,
                    absl::StrCat("V1 password does not match ", Key(app, "shared_secret")));
    }
    if (n->bid != apple.bundle_id) {
      return Reject(v1::REJECT_REASON_APP_MISMATCH,
                    absl::StrCat("V1 bid '", n->bid, "' does not match ", Key(app, "bundle_id"),
                                 " '", apple.bundle_id, "'"));
    }
    const std::string environment = n->environment == "PROD" ? "Production" : n->environment;
    if (std::find(apple.environments.begin(), apple.environments.end(), environment) ==
        apple.environments.end()) {
      return Reject(
          v1::REJECT_REASON_ENVIRONMENT_MISMATCH,
          absl::StrCat("V1 environment '", n->environment, "' is not in ", Key(app, "environments"),
                       " [", absl::StrJoin(apple.environments, ", "), "]"));
    }
    return Accept(MapNotificationV1(*n, raw, app.id));
  }

  std::unique_ptr<OcspClient> owned_ocsp_;
  absl::flat_hash_map<std::string, std::unique_ptr<SignedDataVerifier>> verifiers_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<StoreAdapter>> MakeAppleAdapter(const Config& config,
                                                               const OcspClient* ocsp) {
  std::unique_ptr<OcspClient> owned_ocsp;
  absl::flat_hash_map<std::string, std::unique_ptr<SignedDataVerifier>> verifiers;
  for (const AppConfig& app : config.apps) {
    if (!app.apple) continue;
    auto roots = LoadTrustRoots(app.apple->trust_roots);
    if (!roots.ok()) {
      return absl::Status(roots.status().code(),
                          absl::StrCat(Key(app, "trust_roots"), ": ", roots.status().message()));
    }
    const OcspClient* app_ocsp = ocsp;
    if (app.apple->online_checks && app_ocsp == nullptr) {
      if (!owned_ocsp) owned_ocsp = MakeHttpOcspClient();
      app_ocsp = owned_ocsp.get();
    }
    std::string trust =
        app.apple->trust_roots.empty()
            ? "the built-in Apple Root CA - G3 (" + Key(app, "trust_roots") + " is empty)"
            : Key(app, "trust_roots") + " [" + absl::StrJoin(app.apple->trust_roots, ", ") + "]";
    verifiers[app.id] =
        std::make_unique<SignedDataVerifier>(*std::move(roots), app.apple->online_checks, app_ocsp,
                                             std::make_shared<ChainCache>(), std::move(trust));
  }
  return std::make_unique<AppleAdapter>(std::move(verifiers), std::move(owned_ocsp));
}

}  // namespace storewire::stores::apple
