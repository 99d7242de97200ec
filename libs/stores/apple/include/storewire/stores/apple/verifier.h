// Verification of Apple's signed data (a compact JWS with an x5c chain):
// the outer notification and the nested signedTransactionInfo /
// signedRenewalInfo use the same rules.
//
//   SignedDataVerifier verifier(roots, /*online_checks=*/false, nullptr,
//                               std::make_shared<ChainCache>(), "apps[demo].apple.trust_roots");
//   absl::StatusOr<VerifiedJws> v = verifier.Verify(jws_text, absl::Now());
//   if (!v.ok())           -> retryable (OCSP responder unreachable)
//   else if (v->rejected)  -> permanent, with a RejectReason and a detail
//   else                   -> v->payload is the JSON Apple signed
//
// The adapter's hot path uses Check / CheckNested on a parsed JWS whose
// payload it has already decoded (for signedDate), so that nothing is parsed
// twice; a nested JWS (signedTransactionInfo, signedRenewalInfo) whose alg
// and x5c equal the verified outer JWS's is covered by the outer signature
// (it signs the nested strings byte for byte, STORES.md) and is not verified
// again; any other nested JWS gets the full Check.
//
// Rules (STORES.md "Verifying Apple's JWS"): alg ES256 only; x5c exactly 3
// standard-base64 DER certificates; x5c[2] is never trusted: the intermediate
// must be signed by a configured root, the leaf by the intermediate; marker
// OIDs on leaf and intermediate; validity of leaf, intermediate and anchor at
// the payload's signedDate (online checks off; now when absent) or at now
// plus OCSP on leaf and intermediate (online checks on); then the ES256 raw
// r||s signature with the leaf's P-256 key.
//
// ChainCache remembers verified chains (keyed by the x5c strings themselves),
// holding the leaf key prepared for verification (crypto::Es256Verifier), so
// a warm JWS costs one P-256 verification. Entries are bounded in number
// and never outlive the earliest notAfter of the chain; online-checked
// entries are re-checked when the OCSP answer expires (nextUpdate, at most
// one hour).
// Thread safety: Verify is const and safe to call concurrently; ChainCache is
// internally locked.
#ifndef STOREWIRE_STORES_APPLE_VERIFIER_H_
#define STOREWIRE_STORES_APPLE_VERIFIER_H_

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "storewire/crypto/es256_verifier.h"
#include "storewire/crypto/jws.h"
#include "storewire/crypto/x509.h"
#include "storewire/stores/adapter.h"
#include "storewire/stores/apple/ocsp.h"

namespace storewire::stores::apple {

class ChainCache {
 public:
  struct Entry {
    crypto::Es256Verifier leaf;
    // Intersection of the validity windows of leaf, intermediate and anchor.
    absl::Time valid_from;
    absl::Time valid_until;
    // Online mode: OCSP said "good" for both links until then.
    absl::Time online_until = absl::InfinitePast();
  };

  explicit ChainCache(size_t max_entries = 1024) : max_entries_(max_entries) {}

  // nullopt on a miss; an entry past its valid_until is dropped.
  std::optional<Entry> Lookup(absl::string_view key, absl::Time now);
  // When full, drops expired entries, then the one expiring first.
  void Insert(absl::string_view key, Entry entry, absl::Time now);
  size_t size() const;

 private:
  const size_t max_entries_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
};

struct VerifiedJws {
  std::string payload;  // the signed JSON bytes
  std::optional<Rejection> rejected;
};

class SignedDataVerifier {
 public:
  // `ocsp` must outlive the verifier and is required when online_checks.
  // `trust_description` names where the roots come from, for details.
  SignedDataVerifier(std::vector<crypto::Certificate> roots, bool online_checks,
                     const OcspClient* ocsp, std::shared_ptr<ChainCache> cache,
                     std::string trust_description);

  absl::StatusOr<VerifiedJws> Verify(absl::string_view compact_jws, absl::Time now) const;

  // Header, chain and signature of a parsed JWS. `signed_date` is the
  // payload's signedDate, which the caller decoded before verification (the
  // signature covers it); offline it is the date the chain must be valid at.
  // OK(nullopt) = verified; OK(rejection) = permanent; error = retryable.
  absl::StatusOr<std::optional<Rejection>> Check(const crypto::CompactJws& jws,
                                                 std::optional<absl::Time> signed_date,
                                                 absl::Time now) const;

  // A JWS nested in the payload of `outer`, which Check accepted. When its alg
  // is ES256 and its x5c equals the outer's, the outer signature covers its
  // bytes: only its shape is checked (64-byte signature). Otherwise Check.
  absl::StatusOr<std::optional<Rejection>> CheckNested(const crypto::CompactJws& nested,
                                                       const crypto::CompactJws& outer,
                                                       std::optional<absl::Time> signed_date,
                                                       absl::Time now) const;

  // Number of full chain verifications done (cache misses), for tests and
  // metrics.
  int64_t chain_verifications() const { return chain_verifications_.load(); }

 private:
  // nullopt with `rejected` set for a permanent failure.
  absl::StatusOr<std::optional<ChainCache::Entry>> VerifyChain(
      const std::vector<std::string>& x5c, absl::Time effective, absl::Time now,
      std::optional<Rejection>& rejected) const;

  std::vector<crypto::Certificate> roots_;
  bool online_checks_;
  const OcspClient* ocsp_;
  std::shared_ptr<ChainCache> cache_;
  std::string trust_description_;
  mutable std::atomic<int64_t> chain_verifications_{0};
};

}  // namespace storewire::stores::apple

#endif  // STOREWIRE_STORES_APPLE_VERIFIER_H_
