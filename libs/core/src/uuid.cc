#include "storewire/core/uuid.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace storewire {
namespace {

// storewire's UUIDv5 namespace: UUIDv5(URL namespace, "https://storewire.dev/events").
// Fixed forever: changing it changes every event id.
constexpr std::array<uint8_t, 16> kNamespace = {0x3b, 0x6f, 0x1c, 0x52, 0x8e, 0x0d, 0x5a, 0x41,
                                                0x9b, 0x57, 0x2e, 0x63, 0xd4, 0x0a, 0x7c, 0x19};

std::string Format(const uint8_t* b) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(36, '-');
  size_t o = 0;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) ++o;  // the dashes
    out[o++] = kHex[b[i] >> 4];
    out[o++] = kHex[b[i] & 0xf];
  }
  return out;
}

// SHA-1 fetched once: OpenSSL 3's one-shot SHA1() looks the algorithm up on
// every call, which costs more than hashing the short name.
const EVP_MD* Sha1() {
  static const EVP_MD* const md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA1", nullptr);
    if (fetched == nullptr) std::abort();  // no default provider: nothing can work
    return fetched;
  }();
  return md;
}

}  // namespace

std::string NameBasedUuid(absl::string_view name) {
  uint8_t digest[EVP_MAX_MD_SIZE];
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr || EVP_DigestInit_ex(ctx, Sha1(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx, kNamespace.data(), kNamespace.size()) != 1 ||
      EVP_DigestUpdate(ctx, name.data(), name.size()) != 1 ||
      EVP_DigestFinal_ex(ctx, digest, nullptr) != 1) {
    std::abort();  // out of memory or a broken provider; an id must never be wrong
  }
  EVP_MD_CTX_free(ctx);
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
