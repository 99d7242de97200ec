// The gRPC SubscriberBase service (proto/storewire/v1/subscribers.proto) over
// a SubscriberBase, for the metrics control port.
//
//   SubscriberBaseService service(base, server.authenticator());
//   control_server.AddService(&service);
//
// Every call is checked against the control bearer tokens (UNAUTHENTICATED).
// Errors: GetSubscription answers NOT_FOUND for an unknown key and
// INVALID_ARGUMENT for an empty one. Thread safety: as SubscriberBase; the
// base must outlive the service.
#ifndef STOREWIRE_SUBSCRIBER_BASE_GRPC_SERVICE_H_
#define STOREWIRE_SUBSCRIBER_BASE_GRPC_SERVICE_H_

#include "storewire/control/auth.h"
#include "storewire/subscriber_base/subscriber_base.h"
#include "storewire/v1/subscribers.grpc.pb.h"

namespace storewire::subscriber_base {

class SubscriberBaseService final : public v1::SubscriberBase::Service {
 public:
  SubscriberBaseService(const SubscriberBase& base, const control::Authenticator& auth)
      : base_(base), auth_(auth) {}

  grpc::Status Summary(grpc::ServerContext* context, const v1::SummaryRequest* request,
                       v1::SummaryResponse* response) override;
  grpc::Status ProductBreakdown(grpc::ServerContext* context,
                                const v1::ProductBreakdownRequest* request,
                                v1::ProductBreakdownResponse* response) override;
  grpc::Status GetSubscription(grpc::ServerContext* context,
                               const v1::GetSubscriptionRequest* request,
                               v1::GetSubscriptionResponse* response) override;
  grpc::Status RefundAbuse(grpc::ServerContext* context, const v1::RefundAbuseRequest* request,
                           v1::RefundAbuseResponse* response) override;

 private:
  const SubscriberBase& base_;
  const control::Authenticator& auth_;
};

}  // namespace storewire::subscriber_base

#endif  // STOREWIRE_SUBSCRIBER_BASE_GRPC_SERVICE_H_
