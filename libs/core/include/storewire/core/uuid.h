// UUIDs: name-based (v5, SHA-1) for deterministic event ids, random (v4) for
// request ids.
//
//   std::string id = NameBasedUuid("app_store:" + notification_uuid);
//
// Thread safety: both functions are safe from any thread.
#ifndef STOREWIRE_CORE_UUID_H_
#define STOREWIRE_CORE_UUID_H_

#include <string>

#include "absl/strings/string_view.h"

namespace storewire {

// UUIDv5 of `name` in storewire's namespace, lower-case 8-4-4-4-12 form.
// The same name always yields the same id.
std::string NameBasedUuid(absl::string_view name);

// Random UUIDv4 from the OS CSPRNG.
std::string RandomUuid();

}  // namespace storewire

#endif  // STOREWIRE_CORE_UUID_H_
