#include "storewire/core/stores.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace storewire {

absl::string_view StoreRouteName(v1::Store store) {
  switch (store) {
    case v1::STORE_APP_STORE:
      return "apple";
    case v1::STORE_PLAY_STORE:
      return "google";
    case v1::STORE_APP_GALLERY:
      return "huawei";
    case v1::STORE_AMAZON_APPSTORE:
      return "amazon";
    default:
      return "unknown";
  }
}

std::optional<v1::Store> StoreFromRouteName(absl::string_view name) {
  for (v1::Store s : kAllStores) {
    if (StoreRouteName(s) == name) return s;
  }
  return std::nullopt;
}

std::string EnumSuffix(absl::string_view full_name, absl::string_view prefix) {
  if (absl::StartsWith(full_name, prefix)) full_name.remove_prefix(prefix.size());
  return std::string(full_name);
}

std::string Topics::Raw(v1::Store store) const {
  return absl::StrCat(prefix_, ".raw.", StoreRouteName(store));
}

std::string Topics::Retry(v1::Store store) const {
  return absl::StrCat(prefix_, ".retry.", StoreRouteName(store));
}

}  // namespace storewire
