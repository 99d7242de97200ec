// The ingress: takes a store's HTTP request, checks it is plausibly that
// store's notification for a configured app, writes it to
// `<prefix>.raw.<store>` as a RawNotification and answers 200 only once the
// broker acknowledged the record.
//
//   Ingress ingress(config, producer);                 // any kafka::RecordSink
//   http::Server::Start(options, [&](http::Request r, http::Responder respond) {
//     ingress.Handle(std::move(r), std::move(respond));
//   });
//
// Statuses (CONTRACT.md section 4; libs/ingress/README.md has the details):
// 200 stored; 404 unknown route or app, or app without a section for the
// store; 405 not POST; 413 body over ingress.max_body_bytes; 415 a content type
// the store never sends; 400 not the store's envelope; 503 the sink failed or
// did not acknowledge within ingress.produce_timeout (Retry-After).
//
// Lifetime: the Ingress must outlive every delivery callback it handed to the
// sink (flush or destroy the producer first). The Config and the sink must
// outlive the Ingress. Thread safety: Handle and Admit may be called
// concurrently from any thread; the responder is called from the caller's
// thread (rejections), the sink's delivery thread or the timeout thread.
#ifndef STOREWIRE_INGRESS_INGRESS_H_
#define STOREWIRE_INGRESS_INGRESS_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "storewire/core/clock.h"
#include "storewire/core/config.h"
#include "storewire/core/metrics.h"
#include "storewire/core/stores.h"
#include "storewire/http/client.h"
#include "storewire/http/message.h"
#include "storewire/ingress/status_board.h"
#include "storewire/kafka/kafka.h"
#include "storewire/v1/event.pb.h"

namespace storewire::stores::google {
class GooglePushAuthenticator;
}

namespace storewire::ingress {

class DeadlineQueue;

// What the door decided about one request, before anything reaches Kafka.
struct Admission {
  int status = 200;   // 200: accepted (record is set); otherwise the rejection
  std::string error;  // why it was rejected, for the body and the log
  std::string request_id;
  v1::Store store = v1::STORE_UNSPECIFIED;
  std::string app_label = "unknown";  // the app id if configured, else "unknown"
  std::optional<kafka::OutgoingRecord> record;
};

class Ingress {
 public:
  struct Options {
    const Clock* clock = &SystemClock::Get();
    MetricsRegistry* metrics = &MetricsRegistry::Default();
    // Per (app, store) status for the control API; not owned, may be null.
    StatusBoard* status_board = nullptr;
  };

  Ingress(const Config& config, kafka::RecordSink& sink);
  Ingress(const Config& config, kafka::RecordSink& sink, Options options);
  ~Ingress();

  // Answers through `respond` exactly once.
  void Handle(http::Request request, http::Responder respond);

  // Route, method, app, size, content type and envelope checks, then the raw
  // record. Pure except for the clock and a random request id.
  Admission Admit(const http::Request& request) const;

  // Requests handed to the sink and not answered yet.
  int64_t in_flight() const;

 private:
  struct Pending;
  void Finish(const std::shared_ptr<Pending>& pending, absl::Status status);
  void CountRequest(v1::Store store, const std::string& app_label, int status,
                    absl::string_view reason = "");

  const Config& config_;
  kafka::RecordSink& sink_;
  Options options_;
  Topics topics_;
  Gauge& in_flight_gauge_;
  std::unique_ptr<DeadlineQueue> deadlines_;
  // Google Pub/Sub push OIDC tokens (401 with a reason code); null when no app
  // has google.verify_push_token on. Its JWKS fetches use their own client.
  std::unique_ptr<http::Client> google_http_;
  std::unique_ptr<stores::google::GooglePushAuthenticator> google_auth_;
};

// The request id to use: the incoming x-request-id if it is 1-128 characters of
// [A-Za-z0-9._:-], else a new random UUID.
std::string ChooseRequestId(std::optional<absl::string_view> incoming);

}  // namespace storewire::ingress

#endif  // STOREWIRE_INGRESS_INGRESS_H_
