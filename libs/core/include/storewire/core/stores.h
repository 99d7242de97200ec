// Store names as they appear in routes, topics and config ("apple", "google",
// "huawei", "amazon"), and topic names derived from the configured prefix.
//
//   std::optional<v1::Store> s = StoreFromRouteName("apple");  // STORE_APP_STORE
//   Topics t("storewire");  t.Raw(v1::STORE_APP_STORE) == "storewire.raw.apple"
#ifndef STOREWIRE_CORE_STORES_H_
#define STOREWIRE_CORE_STORES_H_

#include <array>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "storewire/v1/event.pb.h"

namespace storewire {

inline constexpr std::array<v1::Store, 4> kAllStores = {
    v1::STORE_APP_STORE, v1::STORE_PLAY_STORE, v1::STORE_APP_GALLERY, v1::STORE_AMAZON_APPSTORE};

// "apple", "google", "huawei", "amazon"; "unknown" for STORE_UNSPECIFIED.
absl::string_view StoreRouteName(v1::Store store);
std::optional<v1::Store> StoreFromRouteName(absl::string_view name);

// An enum value's name without its type prefix: EVENT_TYPE_RENEWED -> RENEWED.
std::string EnumSuffix(absl::string_view full_name, absl::string_view prefix);

class Topics {
 public:
  explicit Topics(std::string prefix) : prefix_(std::move(prefix)) {}
  std::string Raw(v1::Store store) const;
  std::string Events() const { return prefix_ + ".events.v1"; }
  std::string Rejected() const { return prefix_ + ".rejected"; }
  // Records whose store API stayed unavailable wait here (libs/normalizer deferral.h).
  std::string Retry(v1::Store store) const;
  const std::string& prefix() const { return prefix_; }

 private:
  std::string prefix_;
};

}  // namespace storewire

#endif  // STOREWIRE_CORE_STORES_H_
