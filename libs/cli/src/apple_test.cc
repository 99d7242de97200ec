// storewirectl apple test-notification --app ID: asks the App Store Server API
// for a TEST notification (POST /inApps/v1/notifications/test), polls its send
// status (GET /inApps/v1/notifications/test/{token}) until Apple reports the
// attempt, then checks on the ingress's status that a notification for the
// app arrived after the request.
#include <rapidjson/document.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "args.h"
#include "control_client.h"
#include "storewire/cli/cli.h"
#include "storewire/core/log.h"
#include "storewire/crypto/es256_signer.h"
#include "storewire/http/client.h"
#include "storewire/v1/control.grpc.pb.h"

namespace storewire::cli {
namespace {

constexpr char kAppleUsage[] =
    "usage: storewirectl apple test-notification --app ID [--timeout 60s] [--output table|json]\n"
    "  [--config FILE] [--ingress HOST:PORT] [--token TOKEN]\n"
    "Asks the App Store Server API (apps[].apple.api_base_url, api_key_id, api_issuer_id,\n"
    "api_key_file) to send a TEST notification, waits for Apple's send attempt result, then\n"
    "checks the ingress's status that it arrived. Exit 0 arrived, 1 not (or Apple refused),\n"
    "2 bad usage or config, 4 ingress unreachable.\n";

std::string JsonString(absl::string_view s) { return absl::StrCat("\"", log::JsonEscape(s), "\""); }

absl::StatusOr<std::string> AppleJwt(const AppConfig& app, absl::Time now) {
  const AppleAppConfig& apple = *app.apple;
  if (apple.api_key_id.empty() || apple.api_issuer_id.empty() || apple.api_key_file.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "app '", app.id,
        "' needs apple.api_key_id, apple.api_issuer_id and apple.api_key_file (the In-App "
        "Purchase key from App Store Connect) to call the App Store Server API"));
  }
  std::ifstream in(apple.api_key_file);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("cannot read apps[", app.id, "].apple.api_key_file '",
                                            apple.api_key_file, "'"));
  }
  std::stringstream pem;
  pem << in.rdbuf();
  absl::StatusOr<crypto::Es256Signer> signer = crypto::Es256Signer::FromPem(pem.str());
  if (!signer.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("apple.api_key_file '", apple.api_key_file, "': ", signer.status().message()));
  }
  const int64_t iat = absl::ToUnixSeconds(now);
  // Apple rejects tokens that live longer than 60 minutes.
  return signer->SignJwt(
      absl::StrCat(R"({"alg":"ES256","kid":)", JsonString(apple.api_key_id), R"(,"typ":"JWT"})"),
      absl::StrCat(R"({"iss":)", JsonString(apple.api_issuer_id), R"(,"iat":)", iat, R"(,"exp":)",
                   iat + 20 * 60, R"(,"aud":"appstoreconnect-v1","bid":)",
                   JsonString(apple.bundle_id), "}"));
}

std::string Field(const rapidjson::Document& doc, const char* name) {
  if (!doc.IsObject() || !doc.HasMember(name) || !doc[name].IsString()) return "";
  return doc[name].GetString();
}

// The latest sendAttemptResult, or "" while Apple has not tried yet.
std::string LastSendAttempt(const rapidjson::Document& doc) {
  if (!doc.IsObject() || !doc.HasMember("sendAttempts") || !doc["sendAttempts"].IsArray()) {
    return "";
  }
  std::string result;
  for (const auto& attempt : doc["sendAttempts"].GetArray()) {
    if (attempt.IsObject() && attempt.HasMember("sendAttemptResult") &&
        attempt["sendAttemptResult"].IsString()) {
      result = attempt["sendAttemptResult"].GetString();
    }
  }
  return result;
}

}  // namespace

int Apple(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty() || args[0] != "test-notification") {
    if (!args.empty() && (args[0] == "--help" || args[0] == "help")) {
      out << kAppleUsage;
      return kExitOk;
    }
    err << "storewirectl apple: the only command is test-notification\n" << kAppleUsage;
    return kExitUsage;
  }
  std::set<std::string> flags = kControlFlags;
  flags.insert({"app", "timeout"});
  absl::StatusOr<ParsedArgs> parsed = ParseArgs({args.begin() + 1, args.end()}, flags, {"help"});
  if (!parsed.ok()) {
    err << "storewirectl apple: " << parsed.status().message() << "\n" << kAppleUsage;
    return kExitUsage;
  }
  if (parsed->Has("help")) return (out << kAppleUsage, kExitOk);
  absl::StatusOr<bool> json = WantsJson(*parsed);
  absl::StatusOr<absl::Duration> timeout = ParseDurationText(parsed->Get("timeout", "60s"));
  absl::StatusOr<Config> config = LoadControlConfig(*parsed);
  for (const absl::Status& s : {json.status(), timeout.status(), config.status()}) {
    if (!s.ok()) {
      err << "storewirectl apple: " << s.message() << "\n";
      return kExitUsage;
    }
  }
  const AppConfig* app = config->FindApp(parsed->Get("app"));
  if (app == nullptr || !app->apple) {
    err << "storewirectl apple: --app must name an app with an apple section in the config\n";
    return kExitUsage;
  }
  const absl::Time started = absl::Now();
  const absl::Time deadline = started + *timeout;
  absl::StatusOr<std::string> jwt = AppleJwt(*app, started);
  if (!jwt.ok()) {
    err << "storewirectl apple: " << jwt.status().message() << "\n";
    return kExitUsage;
  }
  std::unique_ptr<http::Client> client = http::MakeCurlClient({});
  const std::string base(absl::StripSuffix(app->apple->api_base_url, "/"));
  const http::HeaderList headers = {{"authorization", absl::StrCat("Bearer ", *jwt)},
                                    {"content-type", "application/json"}};

  absl::StatusOr<http::ClientResponse> requested = http::SendAndWait(
      *client,
      {.method = "POST", .url = base + "/inApps/v1/notifications/test", .headers = headers});
  if (!requested.ok() || requested->status != 200) {
    err << "storewirectl apple: the App Store Server API at " << base << " refused the request: "
        << (requested.ok() ? absl::StrCat("HTTP ", requested->status, " ", requested->body)
                           : std::string(requested.status().message()))
        << "\n";
    return kExitFailure;
  }
  rapidjson::Document doc;
  doc.Parse(requested->body.c_str());
  const std::string token = Field(doc, "testNotificationToken");
  if (token.empty()) {
    err << "storewirectl apple: no testNotificationToken in Apple's answer\n";
    return kExitFailure;
  }

  // Apple's send attempt.
  std::string attempt;
  while (attempt.empty() && absl::Now() < deadline) {
    absl::StatusOr<http::ClientResponse> status = http::SendAndWait(
        *client,
        {.url = absl::StrCat(base, "/inApps/v1/notifications/test/", token), .headers = headers});
    if (status.ok() && status->status == 200) {
      rapidjson::Document s;
      s.Parse(status->body.c_str());
      attempt = LastSendAttempt(s);
    }
    if (attempt.empty()) absl::SleepFor(absl::Seconds(1));
  }

  // Did it reach our ingress?
  absl::StatusOr<ControlTarget> ingress = Target(*parsed, *config, "ingress");
  if (!ingress.ok()) {
    err << "storewirectl apple: " << ingress.status().message() << "\n";
    return kExitUsage;
  }
  auto stub = v1::IngressControl::NewStub(ingress->channel);
  bool arrived = false;
  google::protobuf::Timestamp last;
  do {
    v1::IngressStatusResponse response;
    auto context = ingress->Context(absl::Seconds(5));
    grpc::Status s = stub->Status(context.get(), {}, &response);
    if (!s.ok()) return ingress->Fail(s, err);
    for (const v1::IngressAppStatus& a : response.apps()) {
      if (a.app_id() == app->id && a.store() == v1::STORE_APP_STORE &&
          absl::FromUnixSeconds(a.last_received_at().seconds()) >= started - absl::Seconds(1)) {
        arrived = true;
        last = a.last_received_at();
      }
    }
    if (!arrived) absl::SleepFor(absl::Milliseconds(500));
  } while (!arrived && absl::Now() < deadline);

  const std::string last_text =
      arrived ? absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(last.seconds()),
                                 absl::UTCTimeZone())
              : "";
  if (*json) {
    out << R"({"testNotificationToken":)" << JsonString(token) << R"(,"sendAttemptResult":)"
        << JsonString(attempt) << R"(,"arrivedAtIngress":)" << (arrived ? "true" : "false")
        << R"(,"lastReceivedAt":)" << JsonString(last_text) << "}\n";
  } else {
    out << "test notification token: " << token << "\n"
        << "Apple's send attempt: " << (attempt.empty() ? "(none reported yet)" : attempt) << "\n"
        << "arrived at the ingress: "
        << (arrived ? absl::StrCat("yes, at ", last_text) : std::string("no")) << "\n";
  }
  return arrived ? kExitOk : kExitFailure;
}

}  // namespace storewire::cli
