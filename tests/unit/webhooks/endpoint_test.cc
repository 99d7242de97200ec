#include "storewire/webhooks/endpoint.h"

#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"

namespace storewire::webhooks {
namespace {

v1::SubscriptionEvent Event(v1::EventType type, const std::string& app, v1::Environment env) {
  v1::SubscriptionEvent e;
  e.set_id("evt");
  e.set_type(type);
  e.set_app_id(app);
  e.set_environment(env);
  return e;
}

TEST(EndpointFilterTest, EmptyFilterMatchesEverything) {
  EXPECT_TRUE(Matches({}, Event(v1::EVENT_TYPE_RENEWED, "demo", v1::ENVIRONMENT_PRODUCTION)));
}

TEST(EndpointFilterTest, EveryNonEmptyListMustContainTheEventsValue) {
  v1::EndpointFilter f;
  f.add_event_types("RENEWED");
  f.add_event_types("EXPIRED");
  f.add_app_ids("demo");
  f.add_environments(v1::ENVIRONMENT_SANDBOX);
  EXPECT_TRUE(Matches(f, Event(v1::EVENT_TYPE_EXPIRED, "demo", v1::ENVIRONMENT_SANDBOX)));
  EXPECT_FALSE(Matches(f, Event(v1::EVENT_TYPE_REFUNDED, "demo", v1::ENVIRONMENT_SANDBOX)));
  EXPECT_FALSE(Matches(f, Event(v1::EVENT_TYPE_RENEWED, "other", v1::ENVIRONMENT_SANDBOX)));
  EXPECT_FALSE(Matches(f, Event(v1::EVENT_TYPE_RENEWED, "demo", v1::ENVIRONMENT_PRODUCTION)));
}

TEST(EndpointFilterTest, NormalizeAcceptsPrefixedAndLowerCaseTypes) {
  v1::EndpointFilter f;
  f.add_event_types("EVENT_TYPE_RENEWED");
  f.add_event_types("expired");
  ASSERT_TRUE(NormalizeFilter(f).ok());
  EXPECT_EQ(f.event_types(0), "RENEWED");
  EXPECT_EQ(f.event_types(1), "EXPIRED");
}

TEST(EndpointFilterTest, NormalizeRejectsUnknownTypesAndEnvironments) {
  v1::EndpointFilter f;
  f.add_event_types("RENEWD");
  absl::Status s = NormalizeFilter(f);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("RENEWD"), std::string::npos);
  v1::EndpointFilter g;
  g.add_environments(v1::ENVIRONMENT_UNSPECIFIED);
  EXPECT_EQ(NormalizeFilter(g).code(), absl::StatusCode::kInvalidArgument);
}

TEST(EndpointTest, PreviousSecretSignsOnlyDuringTheOverlap) {
  v1::WebhookEndpoint e;
  e.set_secret("whsec_new");
  e.set_previous_secret("whsec_old");
  const absl::Time expiry = absl::FromUnixSeconds(1'000'000);
  *e.mutable_previous_secret_expires_at() =
      google::protobuf::util::TimeUtil::SecondsToTimestamp(1'000'000);
  EXPECT_EQ(ActiveSecrets(e, expiry - absl::Seconds(1)),
            (std::vector<std::string>{"whsec_new", "whsec_old"}));
  EXPECT_EQ(ActiveSecrets(e, expiry), (std::vector<std::string>{"whsec_new"}));
}

TEST(EndpointTest, UrlsNeedAnHttpSchemeAndAHost) {
  EXPECT_TRUE(ValidateUrl("https://hooks.example.com/storewire").ok());
  EXPECT_TRUE(ValidateUrl("http://127.0.0.1:8080/x").ok());
  EXPECT_EQ(ValidateUrl("ftp://example.com").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateUrl("https:///path").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateUrl("https://exa mple.com").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateUrl("example.com").code(), absl::StatusCode::kInvalidArgument);
}

TEST(EndpointTest, RedactedDropsBothSecrets) {
  v1::WebhookEndpoint e;
  e.set_id("ep_1");
  e.set_secret("whsec_a");
  e.set_previous_secret("whsec_b");
  v1::WebhookEndpoint r = Redacted(e);
  EXPECT_EQ(r.id(), "ep_1");
  EXPECT_TRUE(r.secret().empty());
  EXPECT_TRUE(r.previous_secret().empty());
}

}  // namespace
}  // namespace storewire::webhooks
