// Bearer-token checks of the control APIs, on the raw header value and on a
// real server call (UNAUTHENTICATED vs OK) through ControlServer.
#include "storewire/control/auth.h"

#include <grpcpp/grpcpp.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storewire/control/ingress_control.h"
#include "storewire/control/server.h"
#include "storewire/testing/process.h"

namespace storewire::control {
namespace {

using ::testing::HasSubstr;

bool Accepts(const Authenticator& auth, std::optional<std::string> header) {
  if (!header) return auth.Accepts(nullptr);
  absl::string_view value = *header;
  return auth.Accepts(&value);
}

TEST(AuthenticatorTest, AcceptsOnlyConfiguredBearerTokens) {
  Authenticator auth({"alpha-token", "beta-token"});
  EXPECT_FALSE(auth.open());
  EXPECT_TRUE(Accepts(auth, "Bearer alpha-token"));
  EXPECT_TRUE(Accepts(auth, "bearer beta-token"));
  EXPECT_FALSE(Accepts(auth, std::nullopt));
  EXPECT_FALSE(Accepts(auth, ""));
  EXPECT_FALSE(Accepts(auth, "Bearer "));
  EXPECT_FALSE(Accepts(auth, "alpha-token"));
  EXPECT_FALSE(Accepts(auth, "Basic alpha-token"));
  EXPECT_FALSE(Accepts(auth, "Bearer alpha-tokenX"));
  EXPECT_FALSE(Accepts(auth, "Bearer alpha"));
}

TEST(AuthenticatorTest, WithoutTokensEverythingPasses) {
  Authenticator auth;
  EXPECT_TRUE(auth.open());
  EXPECT_TRUE(Accepts(auth, std::nullopt));
}

TEST(AuthenticatorTest, ReadsTokenFilesAndNamesAMissingOne) {
  const std::string dir = testing::MakeTempDir("auth");
  testing::WriteFile(dir + "/token", "  file-token\n");
  ControlConfig config;
  config.token_files = {dir + "/token"};
  absl::StatusOr<Authenticator> auth = Authenticator::FromConfig(config);
  ASSERT_TRUE(auth.ok()) << auth.status();
  EXPECT_TRUE(Accepts(*auth, "Bearer file-token"));

  config.token_files = {dir + "/missing"};
  auth = Authenticator::FromConfig(config);
  EXPECT_EQ(auth.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(auth.status().message(), HasSubstr(dir + "/missing"));

  testing::WriteFile(dir + "/empty", "\n");
  config.token_files = {dir + "/empty"};
  EXPECT_EQ(Authenticator::FromConfig(config).status().code(), absl::StatusCode::kInvalidArgument);
}

class ControlServerAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ControlConfig config;
    config.tokens = {"s3cret"};
    ASSERT_TRUE(server_.Configure(config).ok());
    service_ = std::make_unique<IngressControlService>(server_.authenticator(), [] {
      v1::IngressStatusResponse r;
      r.add_apps()->set_app_id("demo");
      return r;
    });
    server_.AddService(service_.get());
    ASSERT_TRUE(server_.Start("127.0.0.1", 0).ok());
    stub_ = v1::IngressControl::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", server_.port()), grpc::InsecureChannelCredentials()));
  }

  grpc::Status Call(const std::string& authorization, v1::IngressStatusResponse& response) {
    grpc::ClientContext context;
    if (!authorization.empty()) context.AddMetadata("authorization", authorization);
    return stub_->Status(&context, {}, &response);
  }

  ControlServer server_;
  std::unique_ptr<IngressControlService> service_;
  std::unique_ptr<v1::IngressControl::Stub> stub_;
};

TEST_F(ControlServerAuthTest, NoTokenIsUnauthenticated) {
  v1::IngressStatusResponse response;
  grpc::Status s = Call("", response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(s.error_message(), HasSubstr("missing bearer token"));
  EXPECT_EQ(response.apps_size(), 0);
}

TEST_F(ControlServerAuthTest, WrongTokenIsUnauthenticatedAndNotEchoed) {
  v1::IngressStatusResponse response;
  grpc::Status s = Call("Bearer wrong-guess", response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(s.error_message(), ::testing::Not(HasSubstr("wrong-guess")));
  EXPECT_THAT(s.error_message(), ::testing::Not(HasSubstr("s3cret")));
}

TEST_F(ControlServerAuthTest, RightTokenGetsTheStatus) {
  v1::IngressStatusResponse response;
  grpc::Status s = Call("Bearer s3cret", response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(response.apps_size(), 1);
  EXPECT_EQ(response.apps(0).app_id(), "demo");
}

TEST(ControlServerConfigTest, MissingTlsFileIsNotFound) {
  ControlServer server;
  ControlConfig config;
  config.tls_cert_file = "/nonexistent/cert.pem";
  config.tls_key_file = "/nonexistent/key.pem";
  absl::Status s = server.Configure(config);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(s.message(), HasSubstr("control.tls_cert_file"));
}

}  // namespace
}  // namespace storewire::control
