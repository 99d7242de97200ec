#include "storewire/ingress/ingress.h"

#include <atomic>
#include <chrono>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "deadline_queue.h"
#include "storewire/core/log.h"
#include "storewire/core/uuid.h"
#include "storewire/ingress/envelope.h"
#include "storewire/stores/amazon/sns.h"
#include "storewire/stores/google/oidc.h"
#include "storewire/v1/raw.pb.h"

namespace storewire::ingress {
namespace {

constexpr char kRetryAfterSeconds[] = "5";
constexpr size_t kMaxEchoedBytes = 64;

bool IsRequestIdChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == ':' ||
         c == '-';
}

// Proto3 strings must be UTF-8 and stores send ASCII headers: anything else
// is replaced by '?'.
std::string AsciiHeaderValue(absl::string_view value) {
  std::string out(value);
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x7f || (u < 0x20 && u != '\t')) c = '?';
  }
  return out;
}

// "application/json; charset=utf-8" -> "application/json".
std::string MediaType(absl::string_view content_type) {
  absl::string_view type = content_type.substr(0, content_type.find(';'));
  return absl::AsciiStrToLower(absl::StripAsciiWhitespace(type));
}

// What each store sends (see README.md). An absent Content-Type is accepted:
// the envelope check decides.
bool AcceptsContentType(v1::Store store, std::optional<absl::string_view> header) {
  if (!header) return true;
  const std::string type = MediaType(*header);
  if (type == "application/json") return true;
  // Amazon SNS posts its JSON as text/plain; charset=UTF-8.
  return store == v1::STORE_AMAZON_APPSTORE && type == "text/plain";
}

bool KeepHeader(v1::Store store, absl::string_view name) {
  if (name == "content-type" || name == "user-agent" || name == "x-request-id") return true;
  if (store == v1::STORE_PLAY_STORE && name == "authorization") return true;
  return store == v1::STORE_AMAZON_APPSTORE && absl::StartsWith(name, "x-amz-sns-");
}

std::string Echo(absl::string_view untrusted) {
  return log::JsonEscape(untrusted.substr(0, kMaxEchoedBytes));
}

http::Response JsonResponse(int status, const std::string& request_id, std::string body) {
  http::Response response{.status = status, .body = std::move(body)};
  response.headers.emplace_back("x-request-id", request_id);
  return response;
}

http::Response ErrorResponse(int status, const std::string& request_id, absl::string_view error) {
  http::Response response = JsonResponse(status, request_id,
                                         absl::StrCat(R"({"error":")", log::JsonEscape(error),
                                                      R"(","request_id":")", request_id, "\"}"));
  if (status == 405) response.headers.emplace_back("allow", "POST");
  if (status == 503) response.headers.emplace_back("retry-after", kRetryAfterSeconds);
  if (status == 413) response.close = true;
  return response;
}

}  // namespace

struct Ingress::Pending {
  explicit Pending(http::Responder r) : respond(std::move(r)) {}
  http::Responder respond;
  std::string request_id;
  v1::Store store;
  std::string app_label;
  std::string topic;
  std::string partition_key;
  std::chrono::steady_clock::time_point start;
  std::atomic<bool> done{false};
  std::atomic<uint64_t> timer_id{0};
};

std::string ChooseRequestId(std::optional<absl::string_view> incoming) {
  if (incoming && !incoming->empty() && incoming->size() <= 128) {
    bool sane = true;
    for (char c : *incoming) sane = sane && IsRequestIdChar(c);
    if (sane) return std::string(*incoming);
  }
  return RandomUuid();
}

Ingress::Ingress(const Config& config, kafka::RecordSink& sink)
    : Ingress(config, sink, Options{}) {}

Ingress::Ingress(const Config& config, kafka::RecordSink& sink, Options options)
    : config_(config),
      sink_(sink),
      options_(options),
      topics_(config.kafka.topic_prefix),
      in_flight_gauge_(options_.metrics->GetGauge(
          "storewire_ingress_in_flight", "Requests waiting for the broker's acknowledgement")),
      deadlines_(std::make_unique<DeadlineQueue>()) {
  for (const AppConfig& app : config.apps) {
    if (app.google && app.google->verify_push_token && google_auth_ == nullptr) {
      google_http_ = http::MakeCurlClient({.max_connections_per_host = 2});
      google_auth_ =
          std::make_unique<stores::google::GooglePushAuthenticator>(*google_http_, *options_.clock);
    }
  }
}

Ingress::~Ingress() = default;

int64_t Ingress::in_flight() const { return static_cast<int64_t>(in_flight_gauge_.Value()); }

Admission Ingress::Admit(const http::Request& request) const {
  Admission a;
  a.request_id = ChooseRequestId(request.Header("x-request-id"));
  auto reject = [&a](int status, std::string error) {
    a.status = status;
    a.error = std::move(error);
    return std::move(a);
  };

  // /v1/{store}/{app}, nothing more.
  std::vector<absl::string_view> segments = absl::StrSplit(request.path, '/');
  if (segments.size() != 4 || !segments[0].empty() || segments[1] != "v1" || segments[3].empty()) {
    return reject(404, absl::StrCat("no route ", Echo(request.path),
                                    "; POST /v1/{apple|google|huawei|amazon}/{app}"));
  }
  std::optional<v1::Store> store = StoreFromRouteName(segments[2]);
  if (!store) return reject(404, absl::StrCat("unknown store '", Echo(segments[2]), "'"));
  a.store = *store;
  const AppConfig* app = config_.FindApp(segments[3]);
  if (app != nullptr) a.app_label = app->id;
  if (request.method != "POST") {
    return reject(405, absl::StrCat("method ", Echo(request.method), " not allowed; use POST"));
  }
  if (app == nullptr) return reject(404, absl::StrCat("unknown app '", Echo(segments[3]), "'"));
  const bool has_section = (a.store == v1::STORE_APP_STORE && app->apple) ||
                           (a.store == v1::STORE_PLAY_STORE && app->google) ||
                           (a.store == v1::STORE_APP_GALLERY && app->huawei) ||
                           (a.store == v1::STORE_AMAZON_APPSTORE && app->amazon);
  if (!has_section) {
    return reject(404, absl::StrCat("app '", app->id, "' has no ", StoreRouteName(a.store),
                                    " section in the config"));
  }
  if (static_cast<int64_t>(request.body.size()) > config_.ingress.max_body_bytes) {
    return reject(413, absl::StrCat("body larger than ", config_.ingress.max_body_bytes, " bytes"));
  }
  if (a.store == v1::STORE_PLAY_STORE && google_auth_ != nullptr) {
    // Pub/Sub's OIDC token, before anything else is looked at: the answer
    // carries only the reason code, the log has the detail.
    std::string detail;
    absl::Status s =
        google_auth_->Authenticate(*app->google, request.Header("authorization"), &detail);
    if (!s.ok()) {
      log::Info("google push token refused", {{"request_id", a.request_id},
                                              {"app", app->id},
                                              {"reason", std::string(s.message())},
                                              {"detail", detail}});
    }
    if (s.code() == absl::StatusCode::kUnauthenticated)
      return reject(401, std::string(s.message()));
    if (!s.ok()) return reject(503, "push token keys unavailable; retry later");
  }
  std::optional<absl::string_view> content_type = request.Header("content-type");
  if (!AcceptsContentType(a.store, content_type)) {
    return reject(415, absl::StrCat("content type '", Echo(*content_type), "' is not what ",
                                    StoreRouteName(a.store), " sends"));
  }
  absl::StatusOr<Envelope> envelope = InspectEnvelope(a.store, request.body);
  if (!envelope.ok()) return reject(400, std::string(envelope.status().message()));
  if (a.store == v1::STORE_AMAZON_APPSTORE) {
    // SNS authenticates: what needs no network (topic, certificate URL,
    // signature version) is refused here with 401; the signature itself is
    // verified by the normalizer (libs/stores/amazon/README.md).
    if (absl::Status s = stores::amazon::CheckAtDoor(*app->amazon, request.body); !s.ok()) {
      return reject(401, absl::StrCat("SNS authentication failed: ", s.message()));
    }
  }

  v1::RawNotification raw;
  raw.set_store(a.store);
  raw.set_app_id(app->id);
  const absl::Time now = options_.clock->Now();
  const int64_t seconds = absl::ToUnixSeconds(now);
  raw.mutable_received_at()->set_seconds(seconds);
  raw.mutable_received_at()->set_nanos(
      static_cast<int32_t>((now - absl::FromUnixSeconds(seconds)) / absl::Nanoseconds(1)));
  for (const auto& [name, value] : request.headers) {
    if (KeepHeader(a.store, name))
      raw.mutable_headers()->try_emplace(name, AsciiHeaderValue(value));
  }
  raw.set_body(request.body);
  raw.set_remote_address(request.remote_address);
  raw.set_request_id(a.request_id);
  raw.set_partition_key(envelope->partition_key.empty() ? a.request_id : envelope->partition_key);
  raw.set_path(request.path);

  a.record.emplace();
  a.record->topic = topics_.Raw(a.store);
  a.record->key = raw.partition_key();
  a.record->value = raw.SerializeAsString();
  a.record->headers.push_back({"request_id", a.request_id});
  return a;
}

void Ingress::Handle(http::Request request, http::Responder respond) {
  Admission a = Admit(request);
  if (a.status != 200) {
    CountRequest(a.store, a.app_label, a.status, a.error);
    log::Info("rejected", {{"request_id", a.request_id},
                           {"status", std::to_string(a.status)},
                           {"store", std::string(StoreRouteName(a.store))},
                           {"app", a.app_label},
                           {"remote", request.remote_address},
                           {"error", a.error}});
    respond(ErrorResponse(a.status, a.request_id, a.error));
    return;
  }

  auto pending = std::make_shared<Pending>(std::move(respond));
  pending->request_id = a.request_id;
  pending->store = a.store;
  pending->app_label = a.app_label;
  pending->topic = a.record->topic;
  pending->partition_key = a.record->key;
  pending->start = std::chrono::steady_clock::now();
  in_flight_gauge_.Add(1);
  pending->timer_id = deadlines_->Schedule(
      pending->start + absl::ToChronoNanoseconds(config_.ingress.produce_timeout), [this, pending] {
        Finish(pending, absl::DeadlineExceededError(absl::StrCat(
                            "no acknowledgement from Kafka within ingress.produce_timeout (",
                            absl::FormatDuration(config_.ingress.produce_timeout), ")")));
      });
  sink_.Send(std::move(*a.record),
             [this, pending](absl::Status status) { Finish(pending, std::move(status)); });
}

void Ingress::Finish(const std::shared_ptr<Pending>& pending, absl::Status status) {
  if (pending->done.exchange(true)) return;
  deadlines_->Cancel(pending->timer_id.load());
  in_flight_gauge_.Add(-1);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - pending->start).count();
  const std::string store(StoreRouteName(pending->store));
  options_.metrics
      ->GetHistogram("storewire_ingress_produce_seconds",
                     "Time from receiving a notification to the broker's acknowledgement",
                     {{"store", store}})
      .Observe(seconds);
  if (status.ok()) {
    CountRequest(pending->store, pending->app_label, 200);
    log::Info("stored", {{"request_id", pending->request_id},
                         {"store", store},
                         {"app", pending->app_label},
                         {"topic", pending->topic},
                         {"key", pending->partition_key}});
    pending->respond(JsonResponse(
        200, pending->request_id,
        absl::StrCat(R"({"status":"stored","request_id":")", pending->request_id, "\"}")));
    return;
  }
  CountRequest(pending->store, pending->app_label, 503,
               absl::StrCat("not stored: ", status.message()));
  log::Warn("not stored: answering 503 so that the store retries",
            {{"request_id", pending->request_id},
             {"store", store},
             {"app", pending->app_label},
             {"error", status.ToString()},
             {"hint", "check kafka.brokers and that the broker is up"}});
  pending->respond(ErrorResponse(503, pending->request_id,
                                 absl::StrCat("not stored, retry later: ", status.message())));
}

void Ingress::CountRequest(v1::Store store, const std::string& app_label, int status,
                           absl::string_view reason) {
  if (options_.status_board != nullptr) {
    options_.status_board->Record(store, app_label, status, options_.clock->Now(), reason);
  }
  options_.metrics
      ->GetCounter("storewire_ingress_requests_total", "Store requests by store, app and status",
                   {{"store", std::string(StoreRouteName(store))},
                    {"app", app_label},
                    {"status", std::to_string(status)}})
      .Increment();
}

}  // namespace storewire::ingress
