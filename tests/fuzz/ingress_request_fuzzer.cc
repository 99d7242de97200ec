// Fuzzes everything the ingress does before Kafka: routing, method, content
// type, envelope validation, partition key and RawNotification building.
//
// Input format (so that the seed corpus is readable):
//   line 1: "[METHOD ]PATH"      e.g. "/v1/apple/demo" or "GET /v1/apple/demo"
//   line 2: Content-Type value   (empty line = no header)
//   rest:   the body, byte for byte
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"
#include "storewire/core/config.h"
#include "storewire/core/log.h"
#include "storewire/ingress/ingress.h"
#include "storewire/v1/raw.pb.h"

namespace {

using storewire::Config;
using storewire::ingress::Admission;
using storewire::ingress::Ingress;

constexpr char kConfig[] = R"(
apps:
  - id: demo
    apple: {bundle_id: com.example}
    google: {package_name: com.example.app, verify_push_token: false}
    huawei: {public_key: MIIB}
    amazon: {topic_arns: [arn:aws:sns:us-east-1:1:t]}
  - id: apple_only
    apple: {bundle_id: com.example}
)";

// Acknowledges every record at once.
class AckingSink final : public storewire::kafka::RecordSink {
 public:
  void Send(storewire::kafka::OutgoingRecord, DeliveryCallback done) override {
    done(absl::OkStatus());
  }
};

struct World {
  World() {
    storewire::log::Init("fuzz", "error");
    absl::StatusOr<Config> parsed = storewire::ParseConfig(kConfig, "fuzz.yaml");
    if (!parsed.ok()) std::abort();
    config = *parsed;
    config.ingress.max_body_bytes = 64 * 1024;
    ingress = std::make_unique<Ingress>(config, sink, Ingress::Options{.metrics = &metrics});
  }
  Config config;
  AckingSink sink;
  storewire::MetricsRegistry metrics;
  std::unique_ptr<Ingress> ingress;
};

absl::string_view NextLine(absl::string_view& rest) {
  size_t end = rest.find('\n');
  absl::string_view line = rest.substr(0, end);
  rest.remove_prefix(end == absl::string_view::npos ? rest.size() : end + 1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World* world = new World();
  absl::string_view rest(reinterpret_cast<const char*>(data), size);
  absl::string_view route = NextLine(rest);
  absl::string_view content_type = NextLine(rest);

  storewire::http::Request request;
  request.method = "POST";
  if (size_t space = route.find(' '); space != absl::string_view::npos) {
    request.method = std::string(route.substr(0, space));
    route.remove_prefix(space + 1);
  }
  request.target = std::string(route);
  request.path = request.target.substr(0, request.target.find('?'));
  if (!content_type.empty()) request.headers.emplace_back("content-type", content_type);
  request.headers.emplace_back("x-request-id", "fuzz-1");
  request.body = std::string(rest);
  request.remote_address = "192.0.2.1";

  Admission a = world->ingress->Admit(request);
  if (a.status == 200) {
    // Accepted: the record must be complete and faithful.
    if (!a.record.has_value() || a.record->key.empty()) std::abort();
    storewire::v1::RawNotification raw;
    if (!raw.ParseFromString(a.record->value)) std::abort();
    if (raw.body() != request.body || raw.partition_key() != a.record->key) std::abort();
    if (raw.request_id() != "fuzz-1") std::abort();
  } else {
    if (a.record.has_value() || a.error.empty()) std::abort();
    // 401: an SNS message whose topic or certificate URL is not allowed.
    if (a.status != 400 && a.status != 401 && a.status != 404 && a.status != 405 &&
        a.status != 413 && a.status != 415) {
      std::abort();
    }
  }
  // The full path, with a sink that acknowledges at once.
  int answered = 0;
  world->ingress->Handle(request, storewire::http::Responder([&](storewire::http::Response r) {
                           ++answered;
                           if (r.status != a.status) std::abort();
                         }));
  if (answered != 1) std::abort();
  return 0;
}
