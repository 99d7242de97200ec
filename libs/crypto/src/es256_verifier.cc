#include "storewire/crypto/es256_verifier.h"

#include <openssl/evp.h>

#include <cstdint>
#include <mutex>
#include <vector>

#include "absl/strings/str_cat.h"

namespace storewire::crypto {
namespace {

// Enough idle contexts for the normalizer's threads; more are freed.
constexpr size_t kMaxIdleContexts = 16;

// SHA-256 fetched once for the process (EVP_sha256() fetches implicitly on
// every use in OpenSSL 3).
const EVP_MD* Sha256Md() {
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

// Appends one DER INTEGER holding the unsigned big-endian `bytes`.
void AppendDerInteger(const unsigned char* bytes, size_t len, std::vector<unsigned char>& out) {
  while (len > 1 && bytes[0] == 0) {
    ++bytes;
    --len;
  }
  const bool pad = (bytes[0] & 0x80) != 0;
  out.push_back(0x02);
  out.push_back(static_cast<unsigned char>(len + (pad ? 1 : 0)));
  if (pad) out.push_back(0);
  out.insert(out.end(), bytes, bytes + len);
}

// JOSE r||s (2 x 32 bytes) -> DER ECDSA-Sig-Value, what OpenSSL verifies.
std::vector<unsigned char> RawToDer(absl::string_view raw) {
  const auto* p = reinterpret_cast<const unsigned char*>(raw.data());
  std::vector<unsigned char> body;
  body.reserve(70);
  AppendDerInteger(p, 32, body);
  AppendDerInteger(p + 32, 32, body);
  std::vector<unsigned char> der;
  der.reserve(body.size() + 2);
  der.push_back(0x30);
  der.push_back(static_cast<unsigned char>(body.size()));  // at most 70
  der.insert(der.end(), body.begin(), body.end());
  return der;
}

}  // namespace

struct Es256Verifier::State {
  explicit State(PublicKey k) : key(std::move(k)) {}
  ~State() {
    for (EVP_PKEY_CTX* ctx : idle) EVP_PKEY_CTX_free(ctx);
  }

  // A context initialised for verification with `key`, from the pool or new.
  EVP_PKEY_CTX* Take() {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (!idle.empty()) {
        EVP_PKEY_CTX* ctx = idle.back();
        idle.pop_back();
        return ctx;
      }
    }
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, key.evp(), nullptr);
    if (ctx == nullptr) return nullptr;
    if (EVP_PKEY_verify_init(ctx) != 1 || EVP_PKEY_CTX_set_signature_md(ctx, Sha256Md()) != 1) {
      EVP_PKEY_CTX_free(ctx);
      return nullptr;
    }
    return ctx;
  }

  void Return(EVP_PKEY_CTX* ctx) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (idle.size() < kMaxIdleContexts) {
        idle.push_back(ctx);
        return;
      }
    }
    EVP_PKEY_CTX_free(ctx);
  }

  const PublicKey key;
  std::mutex mu;
  std::vector<EVP_PKEY_CTX*> idle;
};

absl::StatusOr<Es256Verifier> Es256Verifier::Create(const PublicKey& key) {
  if (!key.IsP256()) return absl::InvalidArgumentError("ES256: key is not an EC P-256 key");
  return Es256Verifier(std::make_shared<State>(key));
}

const PublicKey& Es256Verifier::key() const { return state_->key; }

absl::Status Es256Verifier::Verify(absl::string_view signing_input,
                                   absl::string_view raw_signature) const {
  if (raw_signature.size() != 64) {
    return absl::InvalidArgumentError(
        absl::StrCat("ES256: signature must be 64 bytes r||s, got ", raw_signature.size(),
                     raw_signature.size() > 64 ? " (a DER-encoded signature?)" : ""));
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  if (Sha256Md() == nullptr || EVP_Digest(signing_input.data(), signing_input.size(), digest,
                                          &digest_len, Sha256Md(), nullptr) != 1) {
    return absl::InternalError("ES256: SHA-256 failed");
  }
  const std::vector<unsigned char> der = RawToDer(raw_signature);
  EVP_PKEY_CTX* ctx = state_->Take();
  if (ctx == nullptr) return absl::InternalError("ES256: cannot initialise verification");
  const int rc = EVP_PKEY_verify(ctx, der.data(), der.size(), digest, digest_len);
  state_->Return(ctx);
  if (rc != 1) return absl::UnauthenticatedError("ES256: signature does not verify");
  return absl::OkStatus();
}

}  // namespace storewire::crypto
