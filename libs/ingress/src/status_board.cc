#include "storewire/ingress/status_board.h"

#include <google/protobuf/util/time_util.h>

namespace storewire::ingress {
namespace {

google::protobuf::Timestamp ToProto(absl::Time t) {
  return google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(t));
}

}  // namespace

void StatusBoard::Record(v1::Store store, const std::string& app_id, int http_status, absl::Time at,
                         absl::string_view reason) {
  std::lock_guard<std::mutex> lock(mu_);
  v1::IngressAppStatus& s = apps_[{app_id, static_cast<int>(store)}];
  s.set_app_id(app_id);
  s.set_store(store);
  ++(*s.mutable_counts_by_status())[http_status];
  if (http_status == 200) {
    *s.mutable_last_received_at() = ToProto(at);
    return;
  }
  s.set_last_rejection_status(http_status);
  s.set_last_rejection_reason(std::string(reason));
  *s.mutable_last_rejected_at() = ToProto(at);
}

v1::IngressStatusResponse StatusBoard::Snapshot() const {
  v1::IngressStatusResponse out;
  *out.mutable_started_at() = ToProto(started_at_);
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [key, status] : apps_) *out.add_apps() = status;
  return out;
}

}  // namespace storewire::ingress
