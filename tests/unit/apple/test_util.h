// Shared helpers of the Apple unit tests.
#ifndef STOREWIRE_TESTS_UNIT_APPLE_TEST_UTIL_H_
#define STOREWIRE_TESTS_UNIT_APPLE_TEST_UTIL_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "storewire/core/config.h"
#include "storewire/stores/adapter.h"
#include "storewire/v1/raw.pb.h"

namespace storewire::apple_test {

// tests/data/apple/<rel>, whole file (trailing newline stripped).
std::string ReadVector(const std::string& rel);
std::string DataPath(const std::string& rel);

// 2025-11-01T02:09:35Z: the vectors' signedDate (test certs valid 2023..2033).
inline absl::Time VectorNow() { return absl::FromUnixSeconds(1761962975); }

Config MakeConfig(std::vector<std::string> trust_roots,
                  std::vector<std::string> environments = {"Sandbox"},
                  std::string bundle_id = "com.example", int64_t app_apple_id = 1234);

v1::RawNotification Raw(std::string body);

}  // namespace storewire::apple_test

#endif  // STOREWIRE_TESTS_UNIT_APPLE_TEST_UTIL_H_
