#include "storewire/stores/adapter.h"

#include <google/protobuf/util/json_util.h>

#include "absl/strings/str_cat.h"
#include "storewire/core/stores.h"
#include "storewire/core/uuid.h"

namespace storewire::stores {

std::string RejectReasonName(v1::RejectReason reason) {
  return EnumSuffix(v1::RejectReason_Name(reason), "REJECT_REASON_");
}

std::string EventToJson(const v1::SubscriptionEvent& event) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = false;
  std::string out;
  // Serializing a valid message to JSON cannot fail.
  (void)google::protobuf::util::MessageToJsonString(event, &out, options);
  return out;
}

std::string EventId(v1::Store store, absl::string_view store_notification_id, int index) {
  std::string name = absl::StrCat(StoreRouteName(store), ":", store_notification_id);
  if (index > 0) absl::StrAppend(&name, ":", index);
  return NameBasedUuid(name);
}

}  // namespace storewire::stores
