#include "storewire/stores/google/oidc.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "json.h"
#include "rsa.h"
#include "storewire/crypto/jws.h"

namespace storewire::stores::google {
namespace {

absl::Status Fail(const char* reason, std::string why, std::string* detail) {
  if (detail != nullptr) *detail = std::move(why);
  return absl::UnauthenticatedError(reason);
}

bool AudienceMatches(const json::Value* aud, const std::string& expected) {
  if (aud == nullptr || expected.empty()) return false;
  if (aud->IsString()) return json::String(aud) == expected;
  if (aud->IsArray()) {
    for (const json::Value& v : aud->GetArray()) {
      if (json::String(&v) == expected) return true;
    }
  }
  return false;
}

}  // namespace

absl::StatusOr<std::map<std::string, crypto::PublicKey>> ParseJwks(absl::string_view text) {
  rapidjson::Document doc;
  if (absl::Status s = json::Parse(text, doc, "JWKS"); !s.ok()) return s;
  const json::Value* keys = json::Member(&doc, "keys");
  if (keys == nullptr || !keys->IsArray()) return absl::InvalidArgumentError("JWKS has no keys");
  std::map<std::string, crypto::PublicKey> out;
  for (const json::Value& k : keys->GetArray()) {
    if (json::String(json::Member(&k, "kty")) != "RSA") continue;
    std::string kid = json::String(json::Member(&k, "kid"));
    if (kid.empty()) continue;
    absl::StatusOr<crypto::PublicKey> key = RsaPublicKeyFromJwk(
        json::String(json::Member(&k, "n")), json::String(json::Member(&k, "e")));
    if (key.ok()) out.insert_or_assign(kid, *key);
  }
  return out;
}

JwksCache::JwksCache(std::string url, http::Client& client, const Clock& clock, JwksOptions options)
    : url_(std::move(url)), client_(client), clock_(clock), options_(options) {}

int JwksCache::fetches() const {
  std::lock_guard<std::mutex> lock(mu_);
  return fetches_;
}

absl::Status JwksCache::RefreshLocked(absl::Time now) {
  last_attempt_ = now;
  ++fetches_;
  absl::StatusOr<http::ClientResponse> r = http::SendAndWait(
      client_,
      {.url = url_, .connect_timeout = options_.fetch_timeout, .timeout = options_.fetch_timeout});
  if (!r.ok())
    return absl::UnavailableError(absl::StrCat("JWKS ", url_, ": ", r.status().message()));
  if (r->status != 200) {
    return absl::UnavailableError(absl::StrCat("JWKS ", url_, " answered HTTP ", r->status));
  }
  absl::StatusOr<std::map<std::string, crypto::PublicKey>> keys = ParseJwks(r->body);
  if (!keys.ok()) {
    return absl::UnavailableError(absl::StrCat("JWKS ", url_, ": ", keys.status().message()));
  }
  keys_ = *std::move(keys);
  fetched_at_ = now;
  return absl::OkStatus();
}

absl::StatusOr<crypto::PublicKey> JwksCache::Key(const std::string& kid) {
  std::lock_guard<std::mutex> lock(mu_);
  const absl::Time now = clock_.Now();
  const bool may_refresh = !last_attempt_ || now - *last_attempt_ >= options_.min_refresh_interval;
  absl::Status refreshed = absl::OkStatus();
  const bool old = !fetched_at_ || now - *fetched_at_ >= options_.max_age;
  if ((old && may_refresh) || !fetched_at_) refreshed = RefreshLocked(now);
  if (!fetched_at_ || now - *fetched_at_ >= options_.max_stale) {
    return refreshed.ok() ? absl::UnavailableError(absl::StrCat("JWKS ", url_, " is too old"))
                          : refreshed;
  }
  auto it = keys_.find(kid);
  if (it == keys_.end() && may_refresh && *last_attempt_ != now) {
    (void)RefreshLocked(now);  // a rotated key: look again
    it = keys_.find(kid);
  }
  if (it == keys_.end()) return absl::NotFoundError(absl::StrCat("no key '", kid, "' in the JWKS"));
  return it->second;
}

absl::Status VerifyPushToken(absl::string_view jwt, const PushTokenExpectation& expect,
                             JwksCache& keys, absl::Time now, std::string* detail) {
  absl::StatusOr<crypto::CompactJws> jws = crypto::ParseCompactJws(jwt);
  if (!jws.ok()) return Fail("MALFORMED_TOKEN", std::string(jws.status().message()), detail);
  if (jws->alg != "RS256") {
    return Fail("UNSUPPORTED_ALGORITHM", absl::StrCat("alg '", jws->alg.substr(0, 20), "'"),
                detail);
  }
  absl::StatusOr<crypto::PublicKey> key = keys.Key(jws->kid);
  if (!key.ok()) {
    if (key.status().code() == absl::StatusCode::kNotFound) {
      return Fail("UNKNOWN_KEY", std::string(key.status().message()), detail);
    }
    if (detail != nullptr) *detail = std::string(key.status().message());
    return key.status();
  }
  if (absl::Status s = crypto::VerifyRs256(*key, jws->signing_input, jws->signature); !s.ok()) {
    return Fail("BAD_SIGNATURE", std::string(s.message()), detail);
  }
  rapidjson::Document claims;
  if (!json::Parse(jws->payload, claims, "claims").ok()) {
    return Fail("MALFORMED_TOKEN", "claims are not a JSON object", detail);
  }
  const std::string iss = json::String(json::Member(&claims, "iss"));
  if (iss != "accounts.google.com" && iss != "https://accounts.google.com") {
    return Fail("WRONG_ISSUER", absl::StrCat("iss '", iss.substr(0, 100), "'"), detail);
  }
  if (!AudienceMatches(json::Member(&claims, "aud"), expect.audience)) {
    return Fail("WRONG_AUDIENCE",
                expect.audience.empty() ? "google.push_audience is not configured"
                                        : "aud is not google.push_audience",
                detail);
  }
  const std::string email = json::String(json::Member(&claims, "email"));
  if (expect.email.empty() || email != expect.email) {
    return Fail("WRONG_EMAIL",
                expect.email.empty() ? "google.push_service_account is not configured"
                                     : absl::StrCat("email '", email.substr(0, 100), "'"),
                detail);
  }
  const json::Value* verified = json::Member(&claims, "email_verified");
  const bool is_verified = (verified != nullptr && verified->IsBool() && verified->GetBool()) ||
                           json::String(verified) == "true";
  if (!is_verified) return Fail("EMAIL_NOT_VERIFIED", "email_verified is not true", detail);
  std::optional<int64_t> exp = json::Int64(json::Member(&claims, "exp"));
  std::optional<int64_t> iat = json::Int64(json::Member(&claims, "iat"));
  if (!exp || !iat) return Fail("MALFORMED_TOKEN", "exp and iat are required", detail);
  if (now > absl::FromUnixSeconds(*exp) + expect.skew) {
    return Fail("EXPIRED", absl::StrCat("exp ", *exp), detail);
  }
  if (absl::FromUnixSeconds(*iat) > now + expect.skew) {
    return Fail("ISSUED_IN_FUTURE", absl::StrCat("iat ", *iat), detail);
  }
  return absl::OkStatus();
}

GooglePushAuthenticator::GooglePushAuthenticator(http::Client& client, const Clock& clock,
                                                 JwksOptions options)
    : client_(client), clock_(clock), options_(options) {}

JwksCache& GooglePushAuthenticator::CacheFor(const std::string& url) {
  std::lock_guard<std::mutex> lock(mu_);
  std::unique_ptr<JwksCache>& cache = caches_[url];
  if (cache == nullptr) cache = std::make_unique<JwksCache>(url, client_, clock_, options_);
  return *cache;
}

absl::Status GooglePushAuthenticator::Authenticate(const GoogleAppConfig& app,
                                                   std::optional<absl::string_view> authorization,
                                                   std::string* detail) {
  if (!app.verify_push_token) return absl::OkStatus();
  if (!authorization.has_value()) {
    return Fail("MISSING_TOKEN", "no Authorization header", detail);
  }
  absl::string_view value = absl::StripAsciiWhitespace(*authorization);
  if (value.size() < 7 || !absl::EqualsIgnoreCase(value.substr(0, 7), "bearer ")) {
    return Fail("MISSING_TOKEN", "Authorization is not a Bearer token", detail);
  }
  return VerifyPushToken(absl::StripAsciiWhitespace(value.substr(7)),
                         {.audience = app.push_audience, .email = app.push_service_account},
                         CacheFor(app.jwks_url), clock_.Now(), detail);
}

}  // namespace storewire::stores::google
