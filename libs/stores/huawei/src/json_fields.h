// The shared typed JSON member reads, under this library's internal namespace.
#ifndef STOREWIRE_STORES_HUAWEI_SRC_JSON_FIELDS_H_
#define STOREWIRE_STORES_HUAWEI_SRC_JSON_FIELDS_H_

#include "storewire/stores/json_fields.h"

namespace storewire::stores::huawei::internal {
using namespace ::storewire::stores::json;  // NOLINT(build/namespaces)
}  // namespace storewire::stores::huawei::internal

#endif  // STOREWIRE_STORES_HUAWEI_SRC_JSON_FIELDS_H_
