// Runs callbacks at deadlines on one thread of its own; used to bound the wait
// for the broker's acknowledgement. Internal to the ingress library.
//
// Thread safety: Schedule and Cancel may be called from any thread (also from
// a callback). Callbacks run without the lock held. On destruction, pending
// callbacks are dropped without running.
#ifndef STOREWIRE_INGRESS_SRC_DEADLINE_QUEUE_H_
#define STOREWIRE_INGRESS_SRC_DEADLINE_QUEUE_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>

namespace storewire::ingress {

class DeadlineQueue {
 public:
  using Clock = std::chrono::steady_clock;

  DeadlineQueue();
  ~DeadlineQueue();
  DeadlineQueue(const DeadlineQueue&) = delete;
  DeadlineQueue& operator=(const DeadlineQueue&) = delete;

  // Returns an id for Cancel.
  uint64_t Schedule(Clock::time_point at, std::function<void()> fn);
  // No effect if the callback already ran or is running.
  void Cancel(uint64_t id);

 private:
  using Key = std::pair<Clock::time_point, uint64_t>;
  void Loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<Key, std::function<void()>> queue_;
  std::unordered_map<uint64_t, Clock::time_point> index_;
  uint64_t next_id_ = 0;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace storewire::ingress

#endif  // STOREWIRE_INGRESS_SRC_DEADLINE_QUEUE_H_
