// Runs callbacks at a given time on one background thread (retry records
// that are not due yet, backoff of failed hand-offs).
//
//   Timer timer;
//   timer.At(absl::Now() + absl::Seconds(5), [] { ... });
//
// Callbacks run in due order and must not block for long. Destruction drops
// callbacks that are not due. Thread safety: At from any thread.
#ifndef STOREWIRE_WEBHOOKS_TIMER_H_
#define STOREWIRE_WEBHOOKS_TIMER_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include "absl/time/time.h"

namespace storewire::webhooks {

class Timer {
 public:
  Timer();
  ~Timer();
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  void At(absl::Time when, std::function<void()> fn);
  // Callbacks waiting.
  size_t pending() const;

 private:
  void Loop();

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::multimap<absl::Time, std::function<void()>> queue_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace storewire::webhooks

#endif  // STOREWIRE_WEBHOOKS_TIMER_H_
