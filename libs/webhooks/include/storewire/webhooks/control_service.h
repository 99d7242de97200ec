// The WebhookControl gRPC service (proto/storewire/v1/webhooks.proto) on the
// webhooks control port: endpoint management, test events, DLQ and replay.
//
//   ControlService service(deps);
//   control_server.AddService(&service);
//
// Status codes: NOT_FOUND unknown endpoint, INVALID_ARGUMENT bad URL, filter
// or time range, UNAVAILABLE Kafka not reachable (retry). Secrets are returned
// by AddEndpoint, GetEndpoint and RotateSecret only; ListEndpoints redacts them;
// nothing logs them. Thread safety: gRPC calls run concurrently.
#ifndef STOREWIRE_WEBHOOKS_CONTROL_SERVICE_H_
#define STOREWIRE_WEBHOOKS_CONTROL_SERVICE_H_

#include <string>

#include "storewire/control/auth.h"
#include "storewire/core/clock.h"
#include "storewire/core/config.h"
#include "storewire/http/client.h"
#include "storewire/v1/webhooks.grpc.pb.h"
#include "storewire/webhooks/dead_letters.h"
#include "storewire/webhooks/registry.h"

namespace storewire::webhooks {

class ControlService final : public v1::WebhookControl::Service {
 public:
  struct Deps {
    const WebhooksConfig* config = nullptr;
    EndpointStore* store = nullptr;
    DeadLetters* dead_letters = nullptr;
    http::Client* client = nullptr;
    const Clock* clock = nullptr;
    std::string events_topic;
    // Checks every call's bearer token (control.tokens); must be set.
    const control::Authenticator* auth = nullptr;
  };
  explicit ControlService(Deps deps) : deps_(std::move(deps)) {}

  grpc::Status AddEndpoint(grpc::ServerContext*, const v1::AddEndpointRequest* request,
                           v1::WebhookEndpoint* response) override;
  grpc::Status ListEndpoints(grpc::ServerContext*, const v1::ListEndpointsRequest* request,
                             v1::ListEndpointsResponse* response) override;
  grpc::Status GetEndpoint(grpc::ServerContext*, const v1::GetEndpointRequest* request,
                           v1::WebhookEndpoint* response) override;
  grpc::Status UpdateEndpoint(grpc::ServerContext*, const v1::UpdateEndpointRequest* request,
                              v1::WebhookEndpoint* response) override;
  grpc::Status DisableEndpoint(grpc::ServerContext*, const v1::SetEndpointEnabledRequest* request,
                               v1::WebhookEndpoint* response) override;
  grpc::Status EnableEndpoint(grpc::ServerContext*, const v1::SetEndpointEnabledRequest* request,
                              v1::WebhookEndpoint* response) override;
  grpc::Status RotateSecret(grpc::ServerContext*, const v1::RotateSecretRequest* request,
                            v1::WebhookEndpoint* response) override;
  grpc::Status RemoveEndpoint(grpc::ServerContext*, const v1::RemoveEndpointRequest* request,
                              v1::RemoveEndpointResponse* response) override;
  grpc::Status SendTestEvent(grpc::ServerContext*, const v1::SendTestEventRequest* request,
                             v1::SendTestEventResponse* response) override;
  grpc::Status ListDeadLetters(grpc::ServerContext*, const v1::ListDeadLettersRequest* request,
                               v1::ListDeadLettersResponse* response) override;
  grpc::Status Redrive(grpc::ServerContext*, const v1::WebhookRedriveRequest* request,
                       v1::WebhookRedriveResponse* response) override;
  grpc::Status Replay(grpc::ServerContext*, const v1::WebhookReplayRequest* request,
                      v1::WebhookReplayResponse* response) override;

 private:
  grpc::Status Mutate(const std::string& id,
                      const std::function<absl::Status(v1::WebhookEndpoint&)>& change,
                      v1::WebhookEndpoint* response);
  Deps deps_;
};

}  // namespace storewire::webhooks

#endif  // STOREWIRE_WEBHOOKS_CONTROL_SERVICE_H_
