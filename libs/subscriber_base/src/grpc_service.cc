#include "storewire/subscriber_base/grpc_service.h"

#include <string>

namespace storewire::subscriber_base {

grpc::Status SubscriberBaseService::Summary(grpc::ServerContext* context,
                                            const v1::SummaryRequest* request,
                                            v1::SummaryResponse* response) {
  if (grpc::Status s = auth_.Check(*context); !s.ok()) return s;
  *response = base_.Summary(*request);
  return grpc::Status::OK;
}

grpc::Status SubscriberBaseService::ProductBreakdown(grpc::ServerContext* context,
                                                     const v1::ProductBreakdownRequest* request,
                                                     v1::ProductBreakdownResponse* response) {
  if (grpc::Status s = auth_.Check(*context); !s.ok()) return s;
  *response = base_.ProductBreakdown(*request);
  return grpc::Status::OK;
}

grpc::Status SubscriberBaseService::GetSubscription(grpc::ServerContext* context,
                                                    const v1::GetSubscriptionRequest* request,
                                                    v1::GetSubscriptionResponse* response) {
  if (grpc::Status s = auth_.Check(*context); !s.ok()) return s;
  if (request->subscription_key().empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "subscription_key is required");
  }
  *response = base_.Get(*request);
  if (response->subscriptions_size() == 0) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        "no subscription with key '" + request->subscription_key() + "'");
  }
  return grpc::Status::OK;
}

grpc::Status SubscriberBaseService::RefundAbuse(grpc::ServerContext* context,
                                                const v1::RefundAbuseRequest* request,
                                                v1::RefundAbuseResponse* response) {
  if (grpc::Status s = auth_.Check(*context); !s.ok()) return s;
  *response = base_.RefundAbuse(*request);
  return grpc::Status::OK;
}

}  // namespace storewire::subscriber_base
