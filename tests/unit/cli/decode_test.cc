#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storewire/cli/cli.h"

namespace storewire::cli {
namespace {

using ::testing::HasSubstr;

struct CtlResult {
  int code;
  std::string out;
  std::string err;
};

CtlResult Ctl(std::vector<std::string> args, const std::string& stdin_text = "") {
  std::istringstream in(stdin_text);
  std::ostringstream out, err;
  int code = Main(args, in, out, err);
  return {code, out.str(), err.str()};
}

std::string WriteConfig() {
  std::string path = ::testing::TempDir() + "/cli_test.yaml";
  std::ofstream(path) << "apps:\n  - id: demo\n    huawei: {public_key: AAAA}\n";
  return path;
}

TEST(DecodeTest, NoCommandIsUsageError) {
  CtlResult r = Ctl({});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("usage: storewirectl"));
}

TEST(DecodeTest, UnknownCommandIsUsageError) {
  CtlResult r = Ctl({"frobnicate"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("unknown command 'frobnicate'"));
}

TEST(DecodeTest, MissingStoreOrBadStoreIsUsageError) {
  EXPECT_EQ(Ctl({"decode", "--app", "demo"}).code, kExitUsage);
  CtlResult r = Ctl({"decode", "--store", "nokia", "--app", "demo"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("--store must be apple, google, huawei or amazon"));
}

TEST(DecodeTest, MissingAppIsUsageError) {
  CtlResult r = Ctl({"decode", "--store", "apple"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("--app ID is required"));
}

TEST(DecodeTest, UnknownFlagIsUsageError) {
  CtlResult r = Ctl({"decode", "--store", "apple", "--app", "demo", "--verbose"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("unknown flag --verbose"));
}

TEST(DecodeTest, UnreadableInputFileIsUsageError) {
  CtlResult r = Ctl({"decode", "--store", "apple", "--app", "demo", "--config", WriteConfig(),
                     "/nonexistent/body.json"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("cannot read '/nonexistent/body.json'"));
}

TEST(DecodeTest, MissingConfigIsUsageErrorWithHint) {
  CtlResult r =
      Ctl({"decode", "--store", "apple", "--app", "demo", "--config", "/nonexistent.yaml"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("cannot read config file '/nonexistent.yaml'"));
}

TEST(DecodeTest, UnknownAppIsARejectionOnStdoutWithExit3) {
  CtlResult r =
      Ctl({"decode", "--store", "apple", "--app", "nope", "--config", WriteConfig(), "-"}, "{}");
  EXPECT_EQ(r.code, kExitRejected);
  EXPECT_THAT(r.out,
              HasSubstr("{\"rejected\":{\"reason\":\"UNKNOWN_APP\",\"detail\":\"app 'nope'"));
  EXPECT_EQ(r.out.back(), '\n');
}

}  // namespace
}  // namespace storewire::cli
