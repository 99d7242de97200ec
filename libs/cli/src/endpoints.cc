// storewirectl endpoints ...: the WebhookControl gRPC service of
// storewire-webhooks (issue 5), one verb per RPC.
#include <grpcpp/grpcpp.h>

#include <cstdlib>
#include <iostream>
#include <memory>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "args.h"
#include "control_client.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "storewire/cli/cli.h"
#include "storewire/core/config.h"
#include "storewire/v1/webhooks.grpc.pb.h"

namespace storewire::cli {
namespace {

using google::protobuf::util::TimeUtil;

constexpr char kEndpointsUsage[] =
    "usage: storewirectl endpoints <verb> [flags]   (talks to storewire-webhooks over gRPC)\n"
    "\n"
    "  add --url URL [--events T1,T2] [--app ID[,ID]] [--environment PRODUCTION|SANDBOX]\n"
    "      [--description TEXT]           prints {\"id\":\"ep_...\",\"secret\":\"whsec_...\",...}\n"
    "  list                               one endpoint per line (JSON, secrets redacted)\n"
    "  get ID                             the endpoint with its secret\n"
    "  update ID [--url URL] [--events ..] [--app ..] [--environment ..]  (replaces the filter)\n"
    "  disable ID | enable ID\n"
    "  rotate-secret ID [--overlap 24h]   new secret; the old one signs during the overlap\n"
    "  test ID                            delivers one TEST event now, prints the result\n"
    "  rm ID\n"
    "  dlq list [ID]                      dead letters (JSON lines)\n"
    "  dlq redrive ID [--event EVENT_ID]  re-sends them (fresh timestamp, same webhook-id;\n"
    "                                     a raw forward's EVENT_ID is the ingress request id)\n"
    "  replay ID --from T [--to T]        re-sends events received in [from, to); T is RFC 3339\n"
    "                                     or a duration ago (2h)\n"
    "\n"
    "Flags: --server HOST:PORT (default localhost:<webhooks.control_port> of --config, else\n"
    "localhost:7003), --config FILE, --token TOKEN (default $STOREWIRE_CONTROL_TOKEN),\n"
    "--tls-ca FILE [--tls-cert FILE --tls-key FILE]. Exit 0 ok, 1 the service failed or\n"
    "refused, 2 bad usage, 5 the token was refused.\n";

std::string Json(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = false;
  (void)google::protobuf::util::MessageToJsonString(m, &out, options);
  return out;
}

std::string ServerAddress(const ParsedArgs& a) {
  if (!a.Get("server").empty()) return a.Get("server");
  if (const char* env = std::getenv("STOREWIRE_WEBHOOKS_ADDRESS"); env != nullptr && *env) {
    return env;
  }
  absl::StatusOr<Config> config = LoadServiceConfig(a.Get("config"));
  const int port = config.ok() ? config->webhooks.ports.control_port : 7003;
  return absl::StrCat("localhost:", port == 0 ? 7003 : port);
}

absl::Status ParseFilter(const ParsedArgs& a, v1::EndpointFilter& filter) {
  for (absl::string_view t : absl::StrSplit(a.Get("events"), ',', absl::SkipEmpty())) {
    filter.add_event_types(std::string(t));
  }
  for (absl::string_view app : absl::StrSplit(a.Get("app"), ',', absl::SkipEmpty())) {
    filter.add_app_ids(std::string(app));
  }
  for (absl::string_view e : absl::StrSplit(a.Get("environment"), ',', absl::SkipEmpty())) {
    std::string upper = absl::AsciiStrToUpper(e);
    if (upper == "PRODUCTION") {
      filter.add_environments(v1::ENVIRONMENT_PRODUCTION);
    } else if (upper == "SANDBOX") {
      filter.add_environments(v1::ENVIRONMENT_SANDBOX);
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("--environment must be PRODUCTION or SANDBOX, got '", e, "'"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::Time> ParseWhen(const std::string& text) {
  absl::Time t;
  std::string error;
  if (absl::ParseTime(absl::RFC3339_full, text, &t, &error)) return t;
  absl::StatusOr<absl::Duration> ago = ParseDurationText(text);
  if (ago.ok()) return absl::Now() - *ago;
  return absl::InvalidArgumentError(
      absl::StrCat("'", text, "' is neither an RFC 3339 time nor a duration ago (2h)"));
}

class Session {
 public:
  Session(ControlTarget target, std::ostream& err)
      : target_(std::move(target)),
        stub_(v1::WebhookControl::NewStub(target_.channel)),
        err_(err) {}

  template <typename Req, typename Resp, typename Call>
  int Run(Call call, const Req& request, Resp& response, absl::Duration timeout) {
    std::unique_ptr<grpc::ClientContext> context = target_.Context(timeout);
    grpc::Status s = ((*stub_).*call)(context.get(), request, &response);
    if (s.ok()) return kExitOk;
    if (s.error_code() == grpc::StatusCode::UNAUTHENTICATED) return target_.Fail(s, err_);
    err_ << "storewirectl endpoints: " << s.error_message();
    if (s.error_code() == grpc::StatusCode::UNAVAILABLE) {
      err_ << " (is storewire-webhooks running on " << target_.address << "? --server HOST:PORT)";
    }
    err_ << "\n";
    return kExitFailure;
  }

 private:
  ControlTarget target_;
  std::unique_ptr<v1::WebhookControl::Stub> stub_;
  std::ostream& err_;
};

}  // namespace

int Endpoints(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
              std::ostream& err) {
  absl::StatusOr<ParsedArgs> parsed =
      ParseArgs(args,
                {"url", "events", "app", "environment", "description", "overlap", "event", "from",
                 "to", "server", "config", "token", "tls-ca", "tls-cert", "tls-key"},
                {"help"});
  if (!parsed.ok()) {
    err << "storewirectl endpoints: " << parsed.status().message() << "\n" << kEndpointsUsage;
    return kExitUsage;
  }
  const ParsedArgs& a = *parsed;
  if (a.Has("help")) {
    out << kEndpointsUsage;
    return kExitOk;
  }
  const std::vector<std::string>& pos = a.positional;
  if (pos.empty()) {
    err << kEndpointsUsage;
    return kExitUsage;
  }
  const std::string& verb = pos[0];
  auto usage = [&](const std::string& what) {
    err << "storewirectl endpoints " << verb << ": " << what << "\n" << kEndpointsUsage;
    return kExitUsage;
  };
  auto id_arg = [&](size_t index) -> std::string { return pos.size() > index ? pos[index] : ""; };
  absl::StatusOr<ControlTarget> target = TargetAt(a, "webhooks service", ServerAddress(a));
  if (!target.ok()) {
    err << "storewirectl endpoints: " << target.status().message() << "\n";
    return kExitUsage;
  }
  Session session(*std::move(target), err);
  using Stub = v1::WebhookControl::Stub;
  const absl::Duration kShort = absl::Seconds(30);
  const absl::Duration kLong = absl::Minutes(10);

  if (verb == "add") {
    if (a.Get("url").empty()) return usage("--url is required");
    v1::AddEndpointRequest req;
    req.set_url(a.Get("url"));
    req.set_description(a.Get("description"));
    if (absl::Status s = ParseFilter(a, *req.mutable_filter()); !s.ok()) {
      return usage(std::string(s.message()));
    }
    v1::WebhookEndpoint resp;
    int rc = session.Run(&Stub::AddEndpoint, req, resp, kShort);
    if (rc == kExitOk) {
      out << "{\"id\":\"" << resp.id() << "\",\"secret\":\"" << resp.secret() << "\",\"url\":"
          << "\"" << resp.url() << "\"}\n";
    }
    return rc;
  }
  if (verb == "list") {
    v1::ListEndpointsResponse resp;
    int rc = session.Run(&Stub::ListEndpoints, v1::ListEndpointsRequest(), resp, kShort);
    if (rc == kExitOk) {
      for (const v1::WebhookEndpoint& e : resp.endpoints()) out << Json(e) << "\n";
    }
    return rc;
  }
  if (verb == "get" || verb == "disable" || verb == "enable" || verb == "rm" || verb == "remove" ||
      verb == "test" || verb == "rotate-secret" || verb == "update" || verb == "replay") {
    if (id_arg(1).empty()) return usage("the endpoint ID is required");
  }
  const std::string id = id_arg(1);
  if (verb == "get") {
    v1::GetEndpointRequest req;
    req.set_id(id);
    v1::WebhookEndpoint resp;
    int rc = session.Run(&Stub::GetEndpoint, req, resp, kShort);
    if (rc == kExitOk) out << Json(resp) << "\n";
    return rc;
  }
  if (verb == "update") {
    v1::UpdateEndpointRequest req;
    req.set_id(id);
    req.set_url(a.Get("url"));
    req.set_description(a.Get("description"));
    if (absl::Status s = ParseFilter(a, *req.mutable_filter()); !s.ok()) {
      return usage(std::string(s.message()));
    }
    v1::WebhookEndpoint resp;
    int rc = session.Run(&Stub::UpdateEndpoint, req, resp, kShort);
    if (rc == kExitOk) out << Json(resp) << "\n";
    return rc;
  }
  if (verb == "disable" || verb == "enable") {
    v1::SetEndpointEnabledRequest req;
    req.set_id(id);
    v1::WebhookEndpoint resp;
    int rc = session.Run(verb == "disable" ? &Stub::DisableEndpoint : &Stub::EnableEndpoint, req,
                         resp, kShort);
    if (rc == kExitOk) out << Json(resp) << "\n";
    return rc;
  }
  if (verb == "rotate-secret") {
    v1::RotateSecretRequest req;
    req.set_id(id);
    if (!a.Get("overlap").empty()) {
      absl::StatusOr<absl::Duration> d = ParseDurationText(a.Get("overlap"));
      if (!d.ok()) return usage(std::string(d.status().message()));
      req.set_overlap_seconds(absl::ToInt64Seconds(*d));
    }
    v1::WebhookEndpoint resp;
    int rc = session.Run(&Stub::RotateSecret, req, resp, kShort);
    if (rc == kExitOk) {
      out << "{\"id\":\"" << resp.id() << "\",\"secret\":\"" << resp.secret()
          << "\",\"previousSecretExpiresAt\":\""
          << TimeUtil::ToString(resp.previous_secret_expires_at()) << "\"}\n";
    }
    return rc;
  }
  if (verb == "rm" || verb == "remove") {
    v1::RemoveEndpointRequest req;
    req.set_id(id);
    v1::RemoveEndpointResponse resp;
    int rc = session.Run(&Stub::RemoveEndpoint, req, resp, kShort);
    if (rc == kExitOk) out << "{\"removed\":\"" << id << "\"}\n";
    return rc;
  }
  if (verb == "test") {
    v1::SendTestEventRequest req;
    req.set_id(id);
    v1::SendTestEventResponse resp;
    int rc = session.Run(&Stub::SendTestEvent, req, resp, absl::Minutes(1));
    if (rc != kExitOk) return rc;
    out << Json(resp) << "\n";
    return resp.status() >= 200 && resp.status() < 300 ? kExitOk : kExitFailure;
  }
  if (verb == "replay") {
    if (a.Get("from").empty()) return usage("--from is required");
    absl::StatusOr<absl::Time> from = ParseWhen(a.Get("from"));
    if (!from.ok()) return usage(std::string(from.status().message()));
    v1::WebhookReplayRequest req;
    req.set_endpoint_id(id);
    *req.mutable_from() = TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(*from));
    if (!a.Get("to").empty()) {
      absl::StatusOr<absl::Time> to = ParseWhen(a.Get("to"));
      if (!to.ok()) return usage(std::string(to.status().message()));
      *req.mutable_to() = TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(*to));
    }
    v1::WebhookReplayResponse resp;
    int rc = session.Run(&Stub::Replay, req, resp, kLong);
    if (rc == kExitOk) out << "{\"queued\":" << resp.queued() << "}\n";
    return rc;
  }
  if (verb == "dlq") {
    const std::string sub = id_arg(1);
    if (sub == "list") {
      v1::ListDeadLettersRequest req;
      req.set_endpoint_id(id_arg(2));
      v1::ListDeadLettersResponse resp;
      int rc = session.Run(&Stub::ListDeadLetters, req, resp, kLong);
      if (rc == kExitOk) {
        for (const v1::WebhookDelivery& d : resp.deliveries()) out << Json(d) << "\n";
      }
      return rc;
    }
    if (sub == "redrive") {
      if (id_arg(2).empty()) return usage("dlq redrive needs the endpoint ID");
      v1::WebhookRedriveRequest req;
      req.set_endpoint_id(id_arg(2));
      req.set_event_id(a.Get("event"));
      v1::WebhookRedriveResponse resp;
      int rc = session.Run(&Stub::Redrive, req, resp, kLong);
      if (rc == kExitOk) out << "{\"redriven\":" << resp.redriven() << "}\n";
      return rc;
    }
    return usage("dlq takes list or redrive");
  }
  (void)in;
  return usage("unknown verb");
}

}  // namespace storewire::cli
