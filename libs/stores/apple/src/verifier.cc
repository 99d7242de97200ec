#include "storewire/stores/apple/verifier.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "storewire/crypto/base64.h"
#include "storewire/crypto/digest.h"
#include "storewire/stores/apple/trust.h"

namespace storewire::stores::apple {
namespace {

constexpr absl::Duration kMaxOcspCaching = absl::Hours(1);

absl::StatusOr<VerifiedJws> Reject(v1::RejectReason reason, std::string detail) {
  VerifiedJws v;
  v.rejected = Rejection{reason, std::move(detail)};
  return v;
}

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

std::string Window(const crypto::Certificate& c) {
  return absl::StrCat("valid ", Rfc3339(c.NotBefore()), " to ", Rfc3339(c.NotAfter()));
}

}  // namespace

std::optional<ChainCache::Entry> ChainCache::Lookup(absl::string_view key, absl::Time now) {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  if (it->second.valid_until < now) {
    entries_.erase(it);
    return std::nullopt;
  }
  return it->second;
}

void ChainCache::Insert(absl::string_view key, Entry entry, absl::Time now) {
  if (max_entries_ == 0 || entry.valid_until < now) return;
  absl::MutexLock lock(&mu_);
  if (entries_.size() >= max_entries_ && !entries_.contains(key)) {
    absl::erase_if(entries_, [now](const auto& kv) { return kv.second.valid_until < now; });
    if (entries_.size() >= max_entries_) {
      auto first = std::min_element(
          entries_.begin(), entries_.end(),
          [](const auto& a, const auto& b) { return a.second.valid_until < b.second.valid_until; });
      entries_.erase(first);
    }
  }
  entries_.insert_or_assign(std::string(key), std::move(entry));
}

size_t ChainCache::size() const {
  absl::MutexLock lock(&mu_);
  return entries_.size();
}

SignedDataVerifier::SignedDataVerifier(std::vector<crypto::Certificate> roots, bool online_checks,
                                       const OcspClient* ocsp, std::shared_ptr<ChainCache> cache,
                                       std::string trust_description)
    : roots_(std::move(roots)),
      online_checks_(online_checks),
      ocsp_(ocsp),
      cache_(cache ? std::move(cache) : std::make_shared<ChainCache>(0)),
      trust_description_(std::move(trust_description)) {}

absl::StatusOr<VerifiedJws> SignedDataVerifier::Verify(absl::string_view text,
                                                       absl::Time now) const {
  auto jws = crypto::ParseCompactJws(text);
  if (!jws.ok()) {
    return Reject(v1::REJECT_REASON_MALFORMED,
                  absl::StrCat("signed data is not a compact JWS: ", jws.status().message()));
  }
  // The payload is parsed (not trusted) first: offline, its signedDate is the
  // date at which the chain must be valid. The signature check covers it.
  rapidjson::Document doc;
  doc.Parse(jws->payload.data(), jws->payload.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    return Reject(v1::REJECT_REASON_MALFORMED, "JWS payload is not a JSON object");
  }
  std::optional<absl::Time> signed_date;
  if (auto it = doc.FindMember("signedDate"); it != doc.MemberEnd() && !it->value.IsNull()) {
    if (!it->value.IsNumber() || !std::isfinite(it->value.GetDouble()) ||
        std::fabs(it->value.GetDouble()) > 1e15) {
      return Reject(v1::REJECT_REASON_MALFORMED, "payload signedDate is not a millisecond time");
    }
    signed_date = absl::FromUnixMicros(std::llround(it->value.GetDouble() * 1000.0));
  }
  auto rejected = Check(*jws, signed_date, now);
  if (!rejected.ok()) return rejected.status();
  if (*rejected) return Reject((*rejected)->reason, std::move((*rejected)->detail));
  VerifiedJws out;
  out.payload = std::move(jws->payload);
  return out;
}

absl::StatusOr<std::optional<Rejection>> SignedDataVerifier::Check(
    const crypto::CompactJws& jws, std::optional<absl::Time> signed_date, absl::Time now) const {
  using Result = std::optional<Rejection>;
  if (jws.alg != "ES256") {
    return Result(Rejection{
        v1::REJECT_REASON_BAD_SIGNATURE,
        absl::StrCat("JWS alg '", jws.alg, "' is not ES256 (Apple signs with ES256 only)")});
  }
  if (!jws.x5c.has_value()) {
    return Result(Rejection{v1::REJECT_REASON_BAD_CERTIFICATE_CHAIN,
                            "JWS header has no x5c certificate chain"});
  }
  if (jws.x5c->size() != 3) {
    return Result(Rejection{
        v1::REJECT_REASON_BAD_CERTIFICATE_CHAIN,
        absl::StrCat("x5c holds ", jws.x5c->size(),
                     " certificates; Apple's chain is exactly 3 (leaf, intermediate, root)")});
  }
  if (jws.signature.size() != 64) {
    return Result(
        Rejection{v1::REJECT_REASON_BAD_SIGNATURE,
                  absl::StrCat("ES256 signature is ", jws.signature.size(),
                               " bytes; JOSE requires 64 bytes r||s (DER-encoded signature?)")});
  }
  const absl::Time effective = online_checks_ ? now : signed_date.value_or(now);

  // Keyed by the x5c bytes themselves ('.' never occurs in base64).
  const std::string key = absl::StrJoin(*jws.x5c, ".");
  std::optional<ChainCache::Entry> entry = cache_->Lookup(key, now);
  if (entry && (effective < entry->valid_from || effective > entry->valid_until ||
                (online_checks_ && entry->online_until < now))) {
    entry.reset();
  }
  if (!entry) {
    std::optional<Rejection> rejected;
    auto verified = VerifyChain(*jws.x5c, effective, now, rejected);
    if (!verified.ok()) return verified.status();
    if (rejected) return rejected;
    cache_->Insert(key, **verified, now);
    entry = *std::move(*verified);
  }

  if (absl::Status s = entry->leaf.Verify(jws.signing_input, jws.signature); !s.ok()) {
    return Result(Rejection{
        v1::REJECT_REASON_BAD_SIGNATURE,
        absl::StrCat("JWS signature does not verify with the x5c leaf key: ", s.message())});
  }
  return Result();
}

absl::StatusOr<std::optional<Rejection>> SignedDataVerifier::CheckNested(
    const crypto::CompactJws& nested, const crypto::CompactJws& outer,
    std::optional<absl::Time> signed_date, absl::Time now) const {
  if (nested.alg == "ES256" && nested.x5c.has_value() && outer.x5c.has_value() &&
      *nested.x5c == *outer.x5c) {
    if (nested.signature.size() != 64) {
      return std::optional<Rejection>(
          Rejection{v1::REJECT_REASON_BAD_SIGNATURE,
                    absl::StrCat("ES256 signature is ", nested.signature.size(),
                                 " bytes; JOSE requires 64 bytes r||s (DER-encoded signature?)")});
    }
    return std::optional<Rejection>();
  }
  return Check(nested, signed_date, now);
}

absl::StatusOr<std::optional<ChainCache::Entry>> SignedDataVerifier::VerifyChain(
    const std::vector<std::string>& x5c, absl::Time effective, absl::Time now,
    std::optional<Rejection>& rejected) const {
  chain_verifications_.fetch_add(1, std::memory_order_relaxed);
  auto reject = [&rejected](std::string detail) {
    rejected = Rejection{v1::REJECT_REASON_BAD_CERTIFICATE_CHAIN, std::move(detail)};
    return std::optional<ChainCache::Entry>();
  };
  std::vector<crypto::Certificate> certs;
  for (size_t i = 0; i < x5c.size(); ++i) {
    auto der = crypto::Base64Decode(x5c[i]);
    if (!der.ok()) {
      return reject(absl::StrCat("x5c[", i, "] is not standard base64: ", der.status().message()));
    }
    auto cert = crypto::Certificate::FromDer(*der);
    if (!cert.ok()) {
      return reject(
          absl::StrCat("x5c[", i, "] is not a DER certificate: ", cert.status().message()));
    }
    certs.push_back(*std::move(cert));
  }
  const crypto::Certificate& leaf = certs[0];
  const crypto::Certificate& intermediate = certs[1];
  // certs[2] is parsed for shape only and never trusted.

  const crypto::Certificate* anchor = nullptr;
  for (const auto& root : roots_) {
    if (intermediate.IsSignedBy(root)) {
      anchor = &root;
      break;
    }
  }
  if (anchor == nullptr) {
    return reject(absl::StrCat("intermediate '", intermediate.Subject(), "' (issuer '",
                               intermediate.Issuer(), "') is not signed by any trusted root of ",
                               trust_description_));
  }
  if (!intermediate.IsCa()) {
    return reject(absl::StrCat("intermediate '", intermediate.Subject(), "' is not a CA"));
  }
  if (!leaf.IsSignedBy(intermediate)) {
    return reject(absl::StrCat("leaf '", leaf.Subject(), "' is not signed by the intermediate '",
                               intermediate.Subject(), "'"));
  }
  if (!leaf.HasExtension(kLeafMarkerOid)) {
    return reject(
        absl::StrCat("leaf '", leaf.Subject(), "' lacks Apple's extension OID ", kLeafMarkerOid));
  }
  if (!intermediate.HasExtension(kIntermediateMarkerOid)) {
    return reject(absl::StrCat("intermediate '", intermediate.Subject(),
                               "' lacks Apple's extension OID ", kIntermediateMarkerOid));
  }
  const char* when = online_checks_ ? "now (online checks on)"
                                    : "the payload signedDate (online checks off; now if absent)";
  for (const auto* cert : {&leaf, &intermediate, anchor}) {
    if (!cert->ValidAt(effective)) {
      return reject(absl::StrCat("certificate '", cert->Subject(), "' is not valid at ",
                                 Rfc3339(effective), " (", Window(*cert), "); checked at ", when));
    }
  }
  auto leaf_key = leaf.GetPublicKey();
  if (!leaf_key.ok() || !leaf_key->IsP256()) {
    return reject(absl::StrCat("leaf '", leaf.Subject(), "' key is not EC P-256"));
  }
  auto leaf_verifier = crypto::Es256Verifier::Create(*leaf_key);
  if (!leaf_verifier.ok()) {
    return reject(
        absl::StrCat("leaf '", leaf.Subject(), "' key: ", leaf_verifier.status().message()));
  }

  std::optional<ChainCache::Entry> entry =
      ChainCache::Entry{*std::move(leaf_verifier),
                        std::max({leaf.NotBefore(), intermediate.NotBefore(), anchor->NotBefore()}),
                        std::min({leaf.NotAfter(), intermediate.NotAfter(), anchor->NotAfter()})};
  if (online_checks_) {
    if (ocsp_ == nullptr)
      return absl::FailedPreconditionError("online checks without an OCSP client");
    absl::Time online_until = now + kMaxOcspCaching;
    const std::pair<const crypto::Certificate*, const crypto::Certificate*> links[] = {
        {&leaf, &intermediate}, {&intermediate, anchor}};
    for (const auto& [cert, issuer] : links) {
      auto result = ocsp_->Check(*cert, *issuer, now);
      if (!result.ok()) {
        if (result.status().code() == absl::StatusCode::kUnavailable ||
            result.status().code() == absl::StatusCode::kDeadlineExceeded) {
          return absl::UnavailableError(
              absl::StrCat("OCSP check of '", cert->Subject(),
                           "' failed (retry later): ", result.status().message()));
        }
        return reject(absl::StrCat("OCSP check of '", cert->Subject(),
                                   "' failed: ", result.status().message()));
      }
      if (result->status == OcspCertStatus::kRevoked) {
        return reject(absl::StrCat("certificate '", cert->Subject(), "' serial ", cert->SerialHex(),
                                   " is revoked (OCSP)"));
      }
      if (result->status != OcspCertStatus::kGood) {
        return reject(absl::StrCat("OCSP status of '", cert->Subject(), "' is unknown"));
      }
      if (result->next_update != absl::InfinitePast()) {
        online_until = std::min(online_until, result->next_update);
      }
    }
    entry->online_until = online_until;
  }
  return entry;
}

}  // namespace storewire::stores::apple
