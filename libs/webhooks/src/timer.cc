#include "storewire/webhooks/timer.h"

#include "absl/time/clock.h"

namespace storewire::webhooks {

Timer::Timer() : thread_([this] { Loop(); }) {}

Timer::~Timer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Timer::At(absl::Time when, std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.emplace(when, std::move(fn));
  }
  cv_.notify_all();
}

size_t Timer::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

void Timer::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    if (queue_.empty()) {
      cv_.wait(lock);
      continue;
    }
    const absl::Time next = queue_.begin()->first;
    const absl::Time now = absl::Now();
    if (next > now) {
      cv_.wait_for(lock, absl::ToChronoNanoseconds(std::min(next - now, absl::Seconds(1))));
      continue;
    }
    std::function<void()> fn = std::move(queue_.begin()->second);
    queue_.erase(queue_.begin());
    lock.unlock();
    fn();
    lock.lock();
  }
}

}  // namespace storewire::webhooks
