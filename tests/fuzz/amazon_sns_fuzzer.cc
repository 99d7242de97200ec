// Fuzzes the Amazon SNS envelope parser, the string to sign, the ingress door
// check, the RTN message and RVS receipt decoders, and the mapping.
#include <cstddef>
#include <cstdint>
#include <string>

#include "storewire/core/config.h"
#include "storewire/stores/amazon/mapping.h"
#include "storewire/stores/amazon/rtn.h"
#include "storewire/stores/amazon/sns.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace storewire::stores::amazon;  // NOLINT
  const std::string input(reinterpret_cast<const char*>(data), size);
  storewire::AmazonAppConfig app;
  app.topic_arns = {"arn:aws:sns:us-east-1:123456789012:appstore-rtn"};
  (void)CheckAtDoor(app, input);
  storewire::v1::RawNotification raw;
  raw.set_body(input);
  if (auto sns = ParseSnsMessage(input); sns.ok()) {
    (void)StringToSign(*sns);
    (void)UrlAllowed(sns->signing_cert_url, app.signing_cert_url_pattern);
    if (auto rtn = DecodeRtnMessage(sns->message); rtn.ok()) {
      auto receipt = DecodeReceipt(sns->message);
      (void)MapNotification(*sns, *rtn, receipt.ok() ? &*receipt : nullptr, raw, "fuzz");
    }
  }
  (void)DecodeRtnMessage(input);
  if (auto receipt = DecodeReceipt(input); receipt.ok()) (void)TermToIsoPeriod(receipt->term);
  return 0;
}
