#include "storewire/http/admin.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "storewire/core/metrics.h"
#include "tests/unit/http/test_client.h"

namespace storewire::http {
namespace {

Request Get(const std::string& path, const std::string& method = "GET") {
  return Request{.method = method, .target = path, .path = path};
}

TEST(AdminTest, HealthzIsAlwaysOk) {
  Response r = HandleAdminRequest(Get("/healthz"), [] { return absl::UnavailableError("down"); });
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok\n");
}

TEST(AdminTest, ReadyzFollowsTheReadinessCheck) {
  EXPECT_EQ(HandleAdminRequest(Get("/readyz"), [] { return absl::OkStatus(); }).status, 200);
  Response r = HandleAdminRequest(Get("/readyz"),
                                  [] { return absl::UnavailableError("broker unreachable"); });
  EXPECT_EQ(r.status, 503);
  EXPECT_TRUE(absl::StrContains(r.body, "broker unreachable")) << r.body;
}

TEST(AdminTest, MetricsRendersTheDefaultRegistry) {
  MetricsRegistry::Default().GetCounter("storewire_admin_test_total", "test").Increment();
  Response r = HandleAdminRequest(Get("/metrics"), nullptr);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/plain; version=0.0.4");
  EXPECT_TRUE(absl::StrContains(r.body, "storewire_admin_test_total 1")) << r.body;
}

TEST(AdminTest, UnknownPathIs404AndOtherMethodsAre405) {
  EXPECT_EQ(HandleAdminRequest(Get("/nope"), nullptr).status, 404);
  Response r = HandleAdminRequest(Get("/healthz", "POST"), nullptr);
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.headers.at(0).first, "allow");
}

TEST(AdminTest, ServesOverHttp) {
  auto server = StartAdminServer({.bind_address = "127.0.0.1", .port = 0},
                                 [] { return absl::UnavailableError("not yet"); });
  ASSERT_TRUE(server.ok()) << server.status();
  testing::RawConnection c((*server)->port());
  ASSERT_TRUE(c.Send(testing::BuildRequest("GET", "/healthz", "")));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  ASSERT_TRUE(c.Send(testing::BuildRequest("GET", "/readyz", "")));
  r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 503);
}

}  // namespace
}  // namespace storewire::http
