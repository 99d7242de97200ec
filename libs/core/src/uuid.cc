#include "storewire/core/uuid.h"

#include <openssl/rand.h>
#include <openssl/sha.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/str_format.h"

namespace storewire {
namespace {

// storewire's UUIDv5 namespace: UUIDv5(URL namespace, "https://storewire.dev/events").
// Fixed forever: changing it changes every event id.
constexpr std::array<uint8_t, 16> kNamespace = {0x3b, 0x6f, 0x1c, 0x52, 0x8e, 0x0d, 0x5a, 0x41,
                                                0x9b, 0x57, 0x2e, 0x63, 0xd4, 0x0a, 0x7c, 0x19};

std::string Format(const uint8_t* b) {
  return absl::StrFormat("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                         b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
                         b[12], b[13], b[14], b[15]);
}

}  // namespace

std::string NameBasedUuid(absl::string_view name) {
  std::string input(reinterpret_cast<const char*>(kNamespace.data()), kNamespace.size());
  input.append(name.data(), name.size());
  uint8_t digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const uint8_t*>(input.data()), input.size(), digest);
  digest[6] = static_cast<uint8_t>((digest[6] & 0x0f) | 0x50);
  digest[8] = static_cast<uint8_t>((digest[8] & 0x3f) | 0x80);
  return Format(digest);
}

std::string RandomUuid() {
  uint8_t b[16];
  if (RAND_bytes(b, sizeof(b)) != 1) {
    // The CSPRNG failing is not recoverable; an id must never repeat.
    std::abort();
  }
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);
  return Format(b);
}

}  // namespace storewire
