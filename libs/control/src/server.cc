#include "storewire/control/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>

#include <fstream>
#include <sstream>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "storewire/core/log.h"

namespace storewire::control {

namespace {

absl::Status ReadPem(const std::string& file, const std::string& key, std::string& out) {
  if (file.empty()) return absl::OkStatus();
  std::ifstream in(file);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", key, " '", file, "'"));
  std::stringstream text;
  text << in.rdbuf();
  out = text.str();
  if (out.find("-----BEGIN") == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(key, " '", file, "' is not PEM"));
  }
  return absl::OkStatus();
}

}  // namespace

ControlServer::ControlServer() = default;

absl::Status ControlServer::Configure(const ControlConfig& config) {
  absl::StatusOr<Authenticator> auth = Authenticator::FromConfig(config);
  if (!auth.ok()) return auth.status();
  authenticator_ = *std::move(auth);
  for (auto [file, key, out] :
       {std::tuple{&config.tls_cert_file, "control.tls_cert_file", &tls_cert_pem_},
        std::tuple{&config.tls_key_file, "control.tls_key_file", &tls_key_pem_},
        std::tuple{&config.tls_client_ca_file, "control.tls_client_ca_file",
                   &tls_client_ca_pem_}}) {
    if (absl::Status s = ReadPem(*file, key, *out); !s.ok()) return s;
  }
  if (authenticator_.open() && tls_client_ca_pem_.empty()) {
    log::Warn("the control API is open to anyone who reaches its port",
              {{"hint", "set control.tokens (or control.token_files) or mutual TLS"}});
  }
  return absl::OkStatus();
}
ControlServer::~ControlServer() { Shutdown(); }

void ControlServer::AddService(grpc::Service* service) { services_.push_back(service); }

absl::Status ControlServer::Start(const std::string& bind_address, int port) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
  if (!tls_cert_pem_.empty()) {
    grpc::SslServerCredentialsOptions tls(
        tls_client_ca_pem_.empty() ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
                                   : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    tls.pem_root_certs = tls_client_ca_pem_;
    tls.pem_key_cert_pairs.push_back({tls_key_pem_, tls_cert_pem_});
    credentials = grpc::SslServerCredentials(tls);
  }
  builder.AddListeningPort(absl::StrCat(bind_address, ":", port), credentials, &port_);
  for (grpc::Service* service : services_) builder.RegisterService(service);
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen for gRPC on ", bind_address, ":",
                                               port, ". Hint: is the control port in use?"));
  }
  SetServing(true);
  return absl::OkStatus();
}

void ControlServer::SetServing(bool serving) {
  if (server_ == nullptr) return;
  if (grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService()) {
    health->SetServingStatus(serving);
  }
}

void ControlServer::Shutdown() {
  if (server_ == nullptr) return;
  SetServing(false);
  server_->Shutdown();
  server_->Wait();
  server_.reset();
}

}  // namespace storewire::control
