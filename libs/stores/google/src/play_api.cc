#include "storewire/stores/google/play_api.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <mutex>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "json.h"
#include "rsa.h"
#include "storewire/crypto/base64.h"

namespace storewire::stores::google {
namespace {

constexpr char kScope[] = "https://www.googleapis.com/auth/androidpublisher";

struct ServiceAccountKey {
  std::string client_email;
  std::string private_key;
  std::string private_key_id;
};

absl::StatusOr<ServiceAccountKey> ParseKey(absl::string_view key_file_json) {
  rapidjson::Document doc;
  if (!json::Parse(key_file_json, doc, "service account key file").ok()) {
    return absl::FailedPreconditionError("service account key file is not a JSON object");
  }
  ServiceAccountKey key{json::String(json::Member(&doc, "client_email")),
                        json::String(json::Member(&doc, "private_key")),
                        json::String(json::Member(&doc, "private_key_id"))};
  if (key.client_email.empty() || key.private_key.empty()) {
    return absl::FailedPreconditionError(
        "service account key file needs client_email and private_key (download a JSON key for "
        "the service account in the Google Cloud console)");
  }
  return key;
}

std::string JsonObject(const std::vector<std::pair<const char*, std::string>>& strings,
                       const std::vector<std::pair<const char*, int64_t>>& numbers) {
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> w(out);
  w.StartObject();
  for (const auto& [k, v] : strings) {
    w.Key(k);
    w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
  }
  for (const auto& [k, v] : numbers) {
    w.Key(k);
    w.Int64(v);
  }
  w.EndObject();
  return out.GetString();
}

std::string PercentEncode(absl::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      absl::StrAppend(&out, "%",
                      absl::AsciiStrToUpper(absl::StrCat(absl::Hex(c, absl::kZeroPad2))));
    }
  }
  return out;
}

class ServiceAccountTokenSource final : public AccessTokenSource {
 public:
  ServiceAccountTokenSource(std::string key_json, std::string token_url, http::Client& client,
                            const Clock& clock)
      : key_json_(std::move(key_json)),
        token_url_(std::move(token_url)),
        client_(client),
        clock_(clock) {}

  absl::StatusOr<std::string> Token() override {
    std::lock_guard<std::mutex> lock(mu_);
    const absl::Time now = clock_.Now();
    if (token_ && now < refresh_at_) return *token_;
    absl::StatusOr<std::string> assertion = SignServiceAccountAssertion(key_json_, token_url_, now);
    if (!assertion.ok()) return assertion.status();
    absl::StatusOr<http::ClientResponse> r = http::SendAndWait(
        client_, {.method = "POST",
                  .url = token_url_,
                  .headers = {{"Content-Type", "application/x-www-form-urlencoded"}},
                  .body = absl::StrCat(
                      "grant_type=", PercentEncode("urn:ietf:params:oauth:grant-type:jwt-bearer"),
                      "&assertion=", *assertion),
                  .timeout = absl::Seconds(10)});
    if (!r.ok()) {
      return absl::UnavailableError(
          absl::StrCat("OAuth token endpoint ", token_url_, ": ", r.status().message()));
    }
    if (r->status != 200) {
      absl::Status s = ClassifyPlayStatus(r->status, r->body);
      if (r->status == 400 || r->status == 401 || r->status == 403) {
        s = absl::FailedPreconditionError(absl::StrCat(
            "OAuth token endpoint refused the service account assertion (HTTP ", r->status,
            "): check service_account_key_file and that the key is not revoked"));
      }
      return s;
    }
    rapidjson::Document doc;
    if (!json::Parse(r->body, doc, "token response").ok()) {
      return absl::UnavailableError("OAuth token endpoint answered something that is not JSON");
    }
    std::string token = json::String(json::Member(&doc, "access_token"));
    int64_t expires_in = json::Int64(json::Member(&doc, "expires_in")).value_or(3600);
    if (token.empty()) return absl::UnavailableError("OAuth token response has no access_token");
    const absl::Duration lifetime = absl::Seconds(expires_in);
    const absl::Duration margin = std::min(absl::Minutes(5), lifetime / 2);
    token_ = token;
    refresh_at_ = now + lifetime - margin;
    return token;
  }

  void Invalidate() override {
    std::lock_guard<std::mutex> lock(mu_);
    token_.reset();
  }

 private:
  const std::string key_json_;
  const std::string token_url_;
  http::Client& client_;
  const Clock& clock_;
  std::mutex mu_;
  std::optional<std::string> token_;
  absl::Time refresh_at_;
};

class HttpPlayApi final : public PlayApi {
 public:
  HttpPlayApi(std::string base_url, http::Client& client, AccessTokenSource* tokens,
              absl::Duration timeout)
      : base_url_(std::move(base_url)), client_(client), tokens_(tokens), timeout_(timeout) {
    while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
  }

  void GetSubscription(absl::string_view package, absl::string_view token,
                       BodyCallback done) override {
    Call("GET",
         absl::StrCat("/androidpublisher/v3/applications/", PercentEncode(package),
                      "/purchases/subscriptionsv2/tokens/", PercentEncode(token)),
         std::move(done));
  }

  void GetProduct(absl::string_view package, absl::string_view product_id, absl::string_view token,
                  BodyCallback done) override {
    Call("GET",
         absl::StrCat("/androidpublisher/v3/applications/", PercentEncode(package),
                      "/purchases/products/", PercentEncode(product_id), "/tokens/",
                      PercentEncode(token)),
         std::move(done));
  }

  void AcknowledgeSubscription(absl::string_view package, absl::string_view subscription_id,
                               absl::string_view token, BodyCallback done) override {
    Call("POST",
         absl::StrCat("/androidpublisher/v3/applications/", PercentEncode(package),
                      "/purchases/subscriptions/", PercentEncode(subscription_id), "/tokens/",
                      PercentEncode(token), ":acknowledge"),
         std::move(done), "{}");
  }

 private:
  void Call(const char* method, std::string path, BodyCallback done, std::string body = "") {
    http::ClientRequest request{.method = method,
                                .url = absl::StrCat(base_url_, path),
                                .body = std::move(body),
                                .timeout = timeout_};
    if (!request.body.empty()) request.headers.push_back({"Content-Type", "application/json"});
    if (tokens_ != nullptr) {
      absl::StatusOr<std::string> token = tokens_->Token();
      if (!token.ok()) return done(token.status());
      request.headers.push_back({"Authorization", absl::StrCat("Bearer ", *token)});
    }
    AccessTokenSource* tokens = tokens_;
    client_.Send(std::move(request), [done = std::move(done),
                                      tokens](absl::StatusOr<http::ClientResponse> r) {
      if (!r.ok()) {
        absl::Status s = r.status();
        if (s.code() != absl::StatusCode::kDeadlineExceeded) {
          s = absl::UnavailableError(absl::StrCat("Play Developer API: ", s.message()));
        }
        return done(s);
      }
      if (r->truncated) return done(absl::UnavailableError("Play Developer API answer truncated"));
      if (r->status == 401 && tokens != nullptr) tokens->Invalidate();
      absl::Status s = ClassifyPlayStatus(r->status, r->body);
      if (!s.ok()) return done(s);
      done(std::move(r->body));
    });
  }

  std::string base_url_;
  http::Client& client_;
  AccessTokenSource* tokens_;
  absl::Duration timeout_;
};

}  // namespace

absl::Status ClassifyPlayStatus(int status, absl::string_view body) {
  if (status >= 200 && status < 300) return absl::OkStatus();
  std::string detail = absl::StrCat("Play Developer API answered HTTP ", status, ": ",
                                    absl::CHexEscape(body.substr(0, 200)));
  if (status == 429 || status >= 500 || status == 401 || status == 408) {
    return absl::UnavailableError(detail);
  }
  if (status == 404 || status == 410) return absl::NotFoundError(detail);
  if (status == 403) return absl::PermissionDeniedError(detail);
  return absl::InvalidArgumentError(detail);
}

absl::StatusOr<std::string> SignServiceAccountAssertion(absl::string_view key_file_json,
                                                        absl::string_view token_url,
                                                        absl::Time now) {
  absl::StatusOr<ServiceAccountKey> key = ParseKey(key_file_json);
  if (!key.ok()) return key.status();
  std::string header =
      JsonObject({{"alg", "RS256"}, {"typ", "JWT"}, {"kid", key->private_key_id}}, {});
  const int64_t iat = absl::ToUnixSeconds(now);
  std::string claims =
      JsonObject({{"iss", key->client_email}, {"scope", kScope}, {"aud", std::string(token_url)}},
                 {{"iat", iat}, {"exp", iat + 3600}});
  std::string input =
      absl::StrCat(crypto::Base64UrlEncode(header), ".", crypto::Base64UrlEncode(claims));
  absl::StatusOr<std::string> signature = SignRs256(key->private_key, input);
  if (!signature.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("service account key: ", signature.status().message()));
  }
  return absl::StrCat(input, ".", crypto::Base64UrlEncode(*signature));
}

absl::StatusOr<std::unique_ptr<AccessTokenSource>> MakeServiceAccountTokenSource(
    absl::string_view key_file_json, std::string token_url, http::Client& client,
    const Clock& clock) {
  absl::StatusOr<ServiceAccountKey> key = ParseKey(key_file_json);
  if (!key.ok()) return key.status();
  if (absl::StatusOr<std::string> probe = SignRs256(key->private_key, "probe"); !probe.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("service account key: ", probe.status().message()));
  }
  return std::make_unique<ServiceAccountTokenSource>(std::string(key_file_json),
                                                     std::move(token_url), client, clock);
}

std::unique_ptr<PlayApi> MakeHttpPlayApi(std::string base_url, http::Client& client,
                                         AccessTokenSource* tokens, absl::Duration timeout) {
  return std::make_unique<HttpPlayApi>(std::move(base_url), client, tokens, timeout);
}

}  // namespace storewire::stores::google
