#include "storewire/stores/amazon/amazon_adapter.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <system_error>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "storewire/core/log.h"
#include "storewire/stores/amazon/certificates.h"
#include "storewire/stores/amazon/mapping.h"
#include "storewire/stores/amazon/rtn.h"
#include "storewire/stores/amazon/sns.h"

namespace storewire::stores::amazon {
namespace {

std::string Key(const AppConfig& app, absl::string_view field) {
  return absl::StrCat("apps[", app.id, "].amazon.", field);
}

NormalizeResult Reject(v1::RejectReason reason, std::string detail) {
  return NormalizeResult::Reject(reason, std::move(detail));
}

// RVS lookups of one batch run on at most this many threads at once.
constexpr size_t kMaxConcurrentLookups = 16;

// A prefetched RVS answer, for one app, user and receipt.
using LookupKey = std::tuple<std::string, std::string, std::string>;

class AmazonAdapter final : public StoreAdapter {
 public:
  AmazonAdapter(http::Client& client, const ReceiptVerifier* rvs,
                std::unique_ptr<ReceiptVerifier> owned_rvs)
      : client_(client),
        owned_rvs_(std::move(owned_rvs)),
        rvs_(rvs != nullptr ? rvs : owned_rvs_.get()),
        certificates_(std::make_unique<SigningCertificates>(client)) {}

  v1::Store store() const override { return v1::STORE_AMAZON_APPSTORE; }

  absl::StatusOr<NormalizeResult> Normalize(const v1::RawNotification& raw, const AppConfig& app,
                                            absl::Time now) const override {
    if (!app.amazon) {
      return Reject(v1::REJECT_REASON_UNKNOWN_APP,
                    absl::StrCat("app '", app.id, "' has no amazon section in the config"));
    }
    const AmazonAppConfig& amazon = *app.amazon;
    absl::StatusOr<SnsMessage> sns = ParseSnsMessage(raw.body());
    if (!sns.ok()) return Reject(v1::REJECT_REASON_MALFORMED, std::string(sns.status().message()));
    if (std::find(amazon.topic_arns.begin(), amazon.topic_arns.end(), sns->topic_arn) ==
        amazon.topic_arns.end()) {
      return Reject(
          v1::REJECT_REASON_UNAUTHENTICATED,
          absl::StrCat("SNS ", sns->type, " from TopicArn '", sns->topic_arn.substr(0, 256),
                       "' refused: not in ", Key(app, "topic_arns")));
    }
    absl::StatusOr<crypto::Certificate> cert = certificates_->Get(
        sns->signing_cert_url, amazon.signing_cert_url_pattern, sns->Time().value_or(now));
    if (!cert.ok()) {
      switch (cert.status().code()) {
        case absl::StatusCode::kUnavailable:
          return cert.status();
        case absl::StatusCode::kPermissionDenied:
          return Reject(v1::REJECT_REASON_BAD_CERTIFICATE_CHAIN,
                        absl::StrCat(cert.status().message(), " (",
                                     Key(app, "signing_cert_url_pattern"), ")"));
        default:
          return Reject(v1::REJECT_REASON_BAD_CERTIFICATE_CHAIN,
                        std::string(cert.status().message()));
      }
    }
    if (absl::Status s = VerifySnsSignature(*sns, *cert); !s.ok()) {
      return Reject(v1::REJECT_REASON_BAD_SIGNATURE, std::string(s.message()));
    }
    if (sns->type == "SubscriptionConfirmation") return Confirm(*sns, app);
    if (sns->type == "UnsubscribeConfirmation") {
      log::Warn("SNS unsubscribed this endpoint; no further Amazon notifications will arrive",
                {{"app", app.id}, {"topic_arn", sns->topic_arn}});
      return NormalizeResult{};
    }
    absl::StatusOr<RtnMessage> rtn = DecodeRtnMessage(sns->message);
    if (!rtn.ok()) return Reject(v1::REJECT_REASON_MALFORMED, std::string(rtn.status().message()));
    if (!amazon.package_name.empty() && rtn->app_package_name != amazon.package_name) {
      return Reject(v1::REJECT_REASON_APP_MISMATCH,
                    absl::StrCat("appPackageName '", rtn->app_package_name.substr(0, 128),
                                 "' does not match ", Key(app, "package_name"), " '",
                                 amazon.package_name, "'"));
    }
    std::optional<Receipt> receipt;
    if (!amazon.shared_secret.empty() && rvs_ != nullptr && !rtn->receipt_id.empty()) {
      absl::StatusOr<Receipt> r = Lookup(app, rtn->app_user_id, rtn->receipt_id);
      if (!r.ok()) {
        if (r.status().code() == absl::StatusCode::kUnavailable) return r.status();
        return Reject(
            v1::REJECT_REASON_STORE_API_UNAVAILABLE,
            absl::StrCat("receipt ", rtn->receipt_id.substr(0, 128), ": ", r.status().message()));
      }
      receipt = *std::move(r);
    }
    NormalizeResult result;
    result.events.push_back(
        MapNotification(*sns, *rtn, receipt ? &*receipt : nullptr, raw, app.id));
    return result;
  }

  // Looks the batch's receipts up at once (up to kMaxConcurrentLookups in
  // parallel) so that Normalize finds them answered. Only notifications
  // whose SNS signature verifies trigger a lookup.
  void Prefetch(const std::vector<PrefetchItem>& items) const override {
    std::vector<std::pair<LookupKey, const AmazonAppConfig*>> wanted;
    for (const PrefetchItem& item : items) {
      if (item.raw == nullptr || item.app == nullptr || !item.app->amazon) continue;
      const AmazonAppConfig& amazon = *item.app->amazon;
      if (amazon.shared_secret.empty() || rvs_ == nullptr) continue;
      absl::StatusOr<SnsMessage> sns = ParseSnsMessage(item.raw->body());
      if (!sns.ok() || sns->type != "Notification") continue;
      if (std::find(amazon.topic_arns.begin(), amazon.topic_arns.end(), sns->topic_arn) ==
          amazon.topic_arns.end()) {
        continue;
      }
      absl::StatusOr<crypto::Certificate> cert =
          certificates_->Get(sns->signing_cert_url, amazon.signing_cert_url_pattern,
                             sns->Time().value_or(absl::Now()));
      if (!cert.ok() || !VerifySnsSignature(*sns, *cert).ok()) continue;
      absl::StatusOr<RtnMessage> rtn = DecodeRtnMessage(sns->message);
      if (!rtn.ok() || rtn->receipt_id.empty()) continue;
      LookupKey key{item.app->id, rtn->app_user_id, rtn->receipt_id};
      if (std::none_of(wanted.begin(), wanted.end(),
                       [&](const auto& w) { return w.first == key; })) {
        wanted.emplace_back(std::move(key), &amazon);
      }
    }
    std::map<LookupKey, absl::StatusOr<Receipt>> answers;
    std::mutex answers_mu;
    std::atomic<size_t> next{0};
    auto work = [&] {
      for (size_t i = next++; i < wanted.size(); i = next++) {
        const auto& [key, amazon] = wanted[i];
        absl::StatusOr<Receipt> r = rvs_->Verify(*amazon, std::get<1>(key), std::get<2>(key));
        std::lock_guard<std::mutex> lock(answers_mu);
        answers.insert_or_assign(key, std::move(r));
      }
    };
    std::vector<std::thread> workers;
    try {
      for (size_t t = 1; t < std::min(wanted.size(), kMaxConcurrentLookups); ++t) {
        workers.emplace_back(work);
      }
    } catch (const std::system_error& e) {
      // No more threads: the ones started and this one share the work.
      log::Warn("RVS prefetch runs on fewer threads", {{"error", e.what()}});
    }
    work();
    for (std::thread& w : workers) w.join();
    std::lock_guard<std::mutex> lock(prefetched_mu_);
    prefetched_[std::this_thread::get_id()] = std::move(answers);
  }

 private:
  // The prefetched answer of this batch when there is one (a kUnavailable one
  // is asked again: the store may be back), else a lookup now.
  absl::StatusOr<Receipt> Lookup(const AppConfig& app, const std::string& user_id,
                                 const std::string& receipt_id) const {
    {
      std::lock_guard<std::mutex> lock(prefetched_mu_);
      const auto& mine = prefetched_[std::this_thread::get_id()];
      auto it = mine.find(LookupKey{app.id, user_id, receipt_id});
      if (it != mine.end() && it->second.status().code() != absl::StatusCode::kUnavailable) {
        return it->second;
      }
    }
    return rvs_->Verify(*app.amazon, user_id, receipt_id);
  }

  absl::StatusOr<NormalizeResult> Confirm(const SnsMessage& sns, const AppConfig& app) const {
    if (!UrlAllowed(sns.subscribe_url, app.amazon->subscribe_url_pattern)) {
      return Reject(v1::REJECT_REASON_UNAUTHENTICATED,
                    absl::StrCat("SubscribeURL does not match ", Key(app, "subscribe_url_pattern"),
                                 "; the subscription was not confirmed"));
    }
    absl::StatusOr<http::ClientResponse> r = Fetch(client_, sns.subscribe_url);
    if (!r.ok() || r->status >= 500 || r->status == 429) {
      return absl::UnavailableError(absl::StrCat(
          "confirming the SNS subscription failed: ",
          r.ok() ? absl::StrCat("HTTP ", r->status) : std::string(r.status().message())));
    }
    if (r->status != 200) {
      return Reject(v1::REJECT_REASON_STORE_API_UNAVAILABLE,
                    absl::StrCat("SNS refused the subscription confirmation (HTTP ", r->status,
                                 "); the token may have expired: re-subscribe the endpoint"));
    }
    log::Info("confirmed the SNS subscription", {{"app", app.id}, {"topic_arn", sns.topic_arn}});
    return NormalizeResult{};
  }

  http::Client& client_;
  std::unique_ptr<ReceiptVerifier> owned_rvs_;
  const ReceiptVerifier* rvs_;
  std::unique_ptr<SigningCertificates> certificates_;
  mutable std::mutex prefetched_mu_;
  // The last batch's answers, per thread (the normalizer's main and retry
  // loops each prefetch their own batches).
  mutable std::map<std::thread::id, std::map<LookupKey, absl::StatusOr<Receipt>>> prefetched_;
};

}  // namespace

std::unique_ptr<StoreAdapter> MakeAmazonAdapter(const Config& config, http::Client& client,
                                                const ReceiptVerifier* rvs) {
  (void)config;  // every amazon key is read per notification from the app config
  std::unique_ptr<ReceiptVerifier> owned;
  if (rvs == nullptr) owned = MakeHttpReceiptVerifier(client);
  return std::make_unique<AmazonAdapter>(client, rvs, std::move(owned));
}

}  // namespace storewire::stores::amazon
