#include "storewire/control/ingress_control.h"

namespace storewire::control {

grpc::Status IngressControlService::Status(grpc::ServerContext* context,
                                           const v1::IngressStatusRequest* /*request*/,
                                           v1::IngressStatusResponse* response) {
  if (grpc::Status s = auth_.Check(*context); !s.ok()) return s;
  *response = status_();
  return grpc::Status::OK;
}

}  // namespace storewire::control
