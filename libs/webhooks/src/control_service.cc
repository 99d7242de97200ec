#include "storewire/webhooks/control_service.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "storewire/core/log.h"
#include "storewire/core/uuid.h"
#include "storewire/stores/adapter.h"
#include "storewire/webhooks/endpoint.h"
#include "storewire/webhooks/retry_policy.h"
#include "storewire/webhooks/signature.h"

namespace storewire::webhooks {

using google::protobuf::util::TimeUtil;

namespace {

grpc::Status ToGrpc(const absl::Status& s) {
  if (s.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
}

google::protobuf::Timestamp ToProto(absl::Time t) {
  return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

absl::Time FromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(t));
}

// "ep_" + 26 hex characters of a random UUID: short, unguessable, URL-safe.
std::string NewEndpointId() {
  std::string uuid = RandomUuid();
  std::string hex;
  for (char c : uuid) {
    if (c != '-') hex.push_back(c);
  }
  return "ep_" + hex.substr(0, 26);
}

}  // namespace

grpc::Status ControlService::AddEndpoint(grpc::ServerContext* context,
                                         const v1::AddEndpointRequest* request,
                                         v1::WebhookEndpoint* response) {
  if (grpc::Status s = deps_.auth->Check(*context); !s.ok()) return s;
  if (absl::Status s = ValidateUrl(request->url()); !s.ok()) return ToGrpc(s);
  v1::WebhookEndpoint endpoint;
  endpoint.set_id(NewEndpointId());
  endpoint.set_url(request->url());
  *endpoint.mutable_filter() = request->filter();
  if (absl::Status s = NormalizeFilter(*endpoint.mutable_filter()); !s.ok()) return ToGrpc(s);
  endpoint.set_description(request->description());
  endpoint.set_max_in_flight(std::max(0, request->max_in_flight()));
  endpoint.set_secret(GenerateSecret());
  *endpoint.mutable_created_at() = ToProto(deps_.clock->Now());
  absl::StatusOr<v1::WebhookEndpoint> saved = deps_.store->Save(std::move(endpoint));
  if (!saved.ok()) return ToGrpc(saved.status());
  log::Info("endpoint added", {{"endpoint", saved->id()}, {"url", saved->url()}});
  *response = *std::move(saved);
  return grpc::Status::OK;
}

grpc::Status ControlService::ListEndpoints(grpc::ServerContext* context,
                                           const v1::ListEndpointsRequest*,
                                           v1::ListEndpointsResponse* response) {
  if (grpc::Status s = deps_.auth->Check(*context); !s.ok()) return s;
  for (const EndpointPtr& e : deps_.store->registry().List()) {
    *response->add_endpoints() = Redacted(*e);
  }
  return grpc::Status::OK;
}

grpc::Status ControlService::GetEndpoint(grpc::ServerContext* context,
                                         const v1::GetEndpointRequest* request,
                                         v1::WebhookEndpoint* response) {
  if (grpc::Status s = deps_.auth->Check(*context); !s.ok()) return s;
  EndpointPtr e = deps_.store->registry().Find(request->id());
  if (e == nullptr) {
    return ToGrpc(absl::NotFoundError(absl::StrCat("no endpoint with id '", request->id(), "'")));
  }
  *response = *e;
  return grpc::Status::OK;
}

grpc::Status ControlService::Mutate(const std::string& id,
                                    const std::function<absl::Status(v1::WebhookEndpoint&)>& change,
                                    v1::WebhookEndpoint* response) {
  absl::StatusOr<v1::WebhookEndpoint> updated = deps_.store->Update(id, change);
  if (!updated.ok()) return ToGrpc(updated.status());
  *response = *std::move(updated);
  return grpc::Status::OK;
}

grpc::Status ControlService::UpdateEndpoint(grpc::ServerContext* context,
                                            const v1::UpdateEndpointRequest* request,
                                            v1::WebhookEndpoint* response) {
  if (grpc::Status s = deps_.auth->Check(*context); !s.ok()) return s;
  v1::EndpointFilter filter = request->filter();
  if (absl::Status s = NormalizeFilter(filter); !s.ok()) return ToGrpc(s);
  if (!request->url().empty()) {
    if (absl::Status s = ValidateUrl(request->url()); !s.ok()) return ToGrpc(s);
  }
  grpc::Status status = Mutate(
      request->id(),
      [&](v1::WebhookEndpoint& e) {
        *e.mutable_filter() = filter;
        if (!request->url().empty()) e.set_url(request->url());
        if (!request->description().empty()) e.set_description(request->description());
        return absl::OkStatus();
      },
      response);
  if (status.ok()) *response = Redacted(*response);
  return status;
}

grpc::Status ControlService::DisableEndpoint(grpc::ServerContext* context,
                                             const v1::SetEndpointEnabledRequest* request,
                                             v1::WebhookEndpoint* response) {
  if (grpc::Status s = deps_.auth->Check(*context); !s.ok()) return s;
  grpc::Status status = Mutate(
      request->id(),
      [](v1::WebhookEndpoint& e) {
        e.set_disabled(true);
        e.set_disabled_reason("disabled by an operator");
        return absl::OkStatus();
      },
      response);
  if (status.ok()) *response = Redacted(*response);
  return status;
}

grpc::Status ControlService::EnableEndpoint(grpc::ServerContext* context,
                                            const v1::SetEndpointEnabledRequest* request,
                                            v1::WebhookEndpoint* response) {
  if (grpc::Status s = deps_.auth->Check(*context); !s.ok()) return s;
  grpc::Status status = Mutate(
      request->id(),
      [](v1::WebhookEndpoint& e) {
        e.set_disabled(false);
        e.clear_disabled_reason();
        return absl::OkStatus();
      },
      response);
  if (status.ok()) *response = Redacted(*response);
  return status;
}

grpc::Status ControlService::RotateSecret(grpc::ServerContext* context,
                                          const v1::RotateSecretRequest* request,
                                          v1::WebhookEndpoint* response) {
  if (grpc::Status s = deps_.auth->Check(*context); !s.ok()) return s;
  if (request->overlap_seconds() < 0) {
    return ToGrpc(absl::InvalidArgumentError("overlap_seconds must be >= 0"));
  }
  const absl::Duration overlap = request->overlap_seconds() > 0
                                     ? absl::Seconds(request->overlap_seconds())
                                     : deps_.config->secret_rotation_overlap;
  const absl::Time now = deps_.clock->Now();
  return Mutate(
      request->id(),
      [&](v1::WebhookEndpoint& e) {
        e.set_previous_secret(e.secret());
        *e.mutable_previous_secret_expires_at() = ToProto(now + overlap);
        e.set_secret(GenerateSecret());
        return absl::OkStatus();
      },
      response);
}

grpc::Status ControlService::RemoveEndpoint(grpc::ServerContext* context,
                                            const v1::RemoveEndpointRequest* request,
                                            v1::RemoveEndpointResponse*) {
  if (grpc::Status s = deps_.auth->Check(*context); !s.ok()) return s;
  v1::WebhookEndpoint ignored;
  return Mutate(
      request->id(),
      [](v1::WebhookEndpoint& e) {
        // The compacted record stays, without secrets, marked removed.
        e.set_removed(true);
        e.clear_secret();
        e.clear_previous_secret();
        return absl::OkStatus();
      },
      &ignored);
}

grpc::Status ControlService::SendTestEvent(grpc::ServerContext* context,
                                           const v1::SendTestEventRequest* request,
                                           v1::SendTestEventResponse* response) {
  if (grpc::Status s = deps_.auth->Check(*context); !s.ok()) return s;
  EndpointPtr endpoint = deps_.store->registry().Find(request->id());
  if (endpoint == nullptr) {
    return ToGrpc(absl::NotFoundError(absl::StrCat("no endpoint with id '", request->id(), "'")));
  }
  if (endpoint->has_forward()) {
    return ToGrpc(absl::FailedPreconditionError(absl::StrCat(
        request->id(),
        " is a raw forward: it receives the store's own notifications, not storewire events; "
        "post a store notification to the ingress to test it")));
  }
  const absl::Time now = deps_.clock->Now();
  v1::SubscriptionEvent event;
  event.set_id(RandomUuid());
  event.set_type(v1::EVENT_TYPE_TEST);
  *event.mutable_occurred_at() = ToProto(now);
  *event.mutable_received_at() = ToProto(now);
  if (!endpoint->filter().app_ids().empty()) event.set_app_id(endpoint->filter().app_ids(0));
  const std::string body = stores::EventToJson(event);
  absl::StatusOr<http::HeaderList> headers =
      SignedHeaders(ActiveSecrets(*endpoint, now), event.id(), now, body);
  if (!headers.ok()) return ToGrpc(headers.status());
  http::ClientRequest req{.method = "POST",
                          .url = endpoint->url(),
                          .headers = *std::move(headers),
                          .body = body,
                          .connect_timeout = deps_.config->connect_timeout,
                          .timeout = deps_.config->total_timeout,
                          .max_response_bytes = deps_.config->max_response_bytes};
  const absl::Time started = absl::Now();
  absl::StatusOr<http::ClientResponse> result = http::SendAndWait(*deps_.client, std::move(req));
  const Outcome outcome = Classify(result, deps_.clock->Now());
  response->set_webhook_id(event.id());
  response->set_status(outcome.status);
  if (outcome.kind != Outcome::Kind::kDelivered) response->set_error(outcome.error);
  response->set_latency_ms(absl::ToInt64Milliseconds(absl::Now() - started));
  return grpc::Status::OK;
}

grpc::Status ControlService::ListDeadLetters(grpc::ServerContext* context,
                                             const v1::ListDeadLettersRequest* request,
                                             v1::ListDeadLettersResponse* response) {
  if (grpc::Status s = deps_.auth->Check(*context); !s.ok()) return s;
  auto dead = deps_.dead_letters->List(request->endpoint_id());
  if (!dead.ok()) return ToGrpc(dead.status());
  for (v1::WebhookDelivery& d : *dead) *response->add_deliveries() = std::move(d);
  return grpc::Status::OK;
}

grpc::Status ControlService::Redrive(grpc::ServerContext* context,
                                     const v1::WebhookRedriveRequest* request,
                                     v1::WebhookRedriveResponse* response) {
  if (grpc::Status s = deps_.auth->Check(*context); !s.ok()) return s;
  if (request->endpoint_id().empty()) {
    return ToGrpc(absl::InvalidArgumentError("endpoint_id is required"));
  }
  if (deps_.store->registry().Find(request->endpoint_id()) == nullptr) {
    return ToGrpc(
        absl::NotFoundError(absl::StrCat("no endpoint with id '", request->endpoint_id(), "'")));
  }
  auto n = deps_.dead_letters->Redrive(request->endpoint_id(), request->event_id());
  if (!n.ok()) return ToGrpc(n.status());
  response->set_redriven(*n);
  return grpc::Status::OK;
}

grpc::Status ControlService::Replay(grpc::ServerContext* context,
                                    const v1::WebhookReplayRequest* request,
                                    v1::WebhookReplayResponse* response) {
  if (grpc::Status s = deps_.auth->Check(*context); !s.ok()) return s;
  EndpointPtr endpoint = deps_.store->registry().Find(request->endpoint_id());
  if (endpoint == nullptr) {
    return ToGrpc(
        absl::NotFoundError(absl::StrCat("no endpoint with id '", request->endpoint_id(), "'")));
  }
  if (endpoint->has_forward()) {
    return ToGrpc(absl::FailedPreconditionError(absl::StrCat(
        request->endpoint_id(),
        " is a raw forward: replay re-sends storewire events, which a forward never receives "
        "(its dead letters can be redriven: storewirectl endpoints dlq redrive)")));
  }
  const absl::Time from = FromProto(request->from());
  const absl::Time to = request->has_to() ? FromProto(request->to()) : deps_.clock->Now();
  if (to <= from) return ToGrpc(absl::InvalidArgumentError("replay needs from < to"));
  auto n = deps_.dead_letters->Replay(*endpoint, from, to, deps_.events_topic);
  if (!n.ok()) return ToGrpc(n.status());
  response->set_queued(*n);
  return grpc::Status::OK;
}

}  // namespace storewire::webhooks
