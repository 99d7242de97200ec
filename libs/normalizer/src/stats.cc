#include "storewire/normalizer/stats.h"

#include <google/protobuf/util/time_util.h>

namespace storewire::normalizer {

v1::NormalizerAppStatus& NormalizerStats::Entry(v1::Store store, const std::string& app_id,
                                                absl::Time at) {
  v1::NormalizerAppStatus& s = apps_[{app_id, static_cast<int>(store)}];
  s.set_app_id(app_id);
  s.set_store(store);
  *s.mutable_last_processed_at() =
      google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(at));
  return s;
}

void NormalizerStats::CountEvent(v1::Store store, const std::string& app_id,
                                 const std::string& type, absl::Time at) {
  std::lock_guard<std::mutex> lock(mu_);
  ++(*Entry(store, app_id, at).mutable_events_by_type())[type];
}

void NormalizerStats::CountRejection(v1::Store store, const std::string& app_id,
                                     const std::string& reason, absl::Time at) {
  std::lock_guard<std::mutex> lock(mu_);
  ++(*Entry(store, app_id, at).mutable_rejections_by_reason())[reason];
}

void NormalizerStats::Fill(v1::NormalizerStatusResponse& out) const {
  out.set_paused(paused_);
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [key, status] : apps_) *out.add_apps() = status;
}

}  // namespace storewire::normalizer
