// storewire.v1.IngressControl: the ingress's status per app and store (last
// received, counts by HTTP status, last refusal at the door).
//
//   ingress::StatusBoard board;
//   IngressControlService service(server.authenticator(), [&] { return board.Snapshot(); });
//   server.AddService(&service);
//
// Lifetime: the authenticator and whatever `status` captures must outlive the
// service. Thread safety: gRPC calls the methods concurrently; `status` must
// be thread-safe.
#ifndef STOREWIRE_CONTROL_INGRESS_CONTROL_H_
#define STOREWIRE_CONTROL_INGRESS_CONTROL_H_

#include <functional>

#include "storewire/control/auth.h"
#include "storewire/v1/control.grpc.pb.h"

namespace storewire::control {

class IngressControlService final : public v1::IngressControl::Service {
 public:
  using StatusSource = std::function<v1::IngressStatusResponse()>;
  IngressControlService(const Authenticator& auth, StatusSource status)
      : auth_(auth), status_(std::move(status)) {}

  grpc::Status Status(grpc::ServerContext* context, const v1::IngressStatusRequest* request,
                      v1::IngressStatusResponse* response) override;

 private:
  const Authenticator& auth_;
  StatusSource status_;
};

}  // namespace storewire::control

#endif  // STOREWIRE_CONTROL_INGRESS_CONTROL_H_
