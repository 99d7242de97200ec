#include "storewire/control/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include "absl/strings/str_cat.h"

namespace storewire::control {

ControlServer::ControlServer() = default;
ControlServer::~ControlServer() { Shutdown(); }

void ControlServer::AddService(grpc::Service* service) { services_.push_back(service); }

absl::Status ControlServer::Start(const std::string& bind_address, int port) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(absl::StrCat(bind_address, ":", port), grpc::InsecureServerCredentials(),
                           &port_);
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
