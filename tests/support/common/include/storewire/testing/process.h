// Test support: child processes (the real service binaries), free ports,
// temporary config files and deadline polling. No sleeps-as-synchronization:
// WaitUntil polls a condition until a deadline.
#ifndef STOREWIRE_TESTING_PROCESS_H_
#define STOREWIRE_TESTING_PROCESS_H_

#include <sys/types.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace storewire::testing {

// A child process with stdout+stderr appended to `log_path`. Killed (SIGKILL)
// on destruction if still running.
class ChildProcess {
 public:
  static absl::StatusOr<ChildProcess> Spawn(const std::vector<std::string>& argv,
                                            const std::map<std::string, std::string>& extra_env,
                                            const std::string& log_path);
  ChildProcess() = default;
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  bool Running();
  void Signal(int sig);
  // Waits for exit; returns the exit code (128 + signal for a signal), or -1 on timeout.
  int Wait(absl::Duration timeout);
  const std::string& log_path() const { return log_path_; }
  std::string Log() const;

 private:
  pid_t pid_ = -1;
  int status_ = 0;
  bool exited_ = false;
  std::string log_path_;
};

// A TCP port that was free a moment ago on 127.0.0.1.
int FreePort();

// Polls `condition` every 20 ms until it is true or `timeout` passes.
bool WaitUntil(const std::function<bool()>& condition, absl::Duration timeout);

// A fresh directory under the test temp dir.
std::string MakeTempDir(const std::string& prefix);
void WriteFile(const std::string& path, const std::string& content);
std::string ReadFile(const std::string& path);

// build/bin/<name>, from STOREWIRE_BINARY_DIR.
std::string BinaryPath(const std::string& name);
// A path under the source tree, from STOREWIRE_SOURCE_DIR.
std::string SourcePath(const std::string& relative);

// A random lower-case suffix for unique topic prefixes and group ids.
std::string UniqueName(const std::string& prefix);

// The real broker of tests/run (STOREWIRE_TEST_KAFKA_BROKERS), or "" if unset.
std::string TestKafkaBrokers();

// Minimal HTTP client (libcurl) for tests.
struct HttpResult {
  int status = 0;  // 0: no response (connection failed or timed out)
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
};
HttpResult HttpPost(const std::string& url, const std::string& body,
                    const std::vector<std::string>& headers, absl::Duration timeout);
HttpResult HttpGet(const std::string& url, absl::Duration timeout);

}  // namespace storewire::testing

#endif  // STOREWIRE_TESTING_PROCESS_H_
