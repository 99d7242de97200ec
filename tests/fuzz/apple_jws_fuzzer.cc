// Fuzzes compact JWS parsing and the certificate decoding of its x5c entries
// (everything the Apple verifier does to untrusted bytes before a signature
// check).
#include <cstddef>
#include <cstdint>
#include <string>

#include "storewire/crypto/base64.h"
#include "storewire/crypto/jws.h"
#include "storewire/crypto/x509.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto jws = storewire::crypto::ParseCompactJws(text);
  if (!jws.ok() || !jws->x5c) return 0;
  for (const std::string& entry : *jws->x5c) {
    auto der = storewire::crypto::Base64Decode(entry);
    if (!der.ok()) continue;
    auto cert = storewire::crypto::Certificate::FromDer(*der);
    if (!cert.ok()) continue;
    (void)cert->Subject();
    (void)cert->HasExtension("1.2.840.113635.100.6.11.1");
    (void)cert->IsCa();
    (void)cert->GetPublicKey();
  }
  return 0;
}
