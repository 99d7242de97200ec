#include "deadline_queue.h"

namespace storewire::ingress {

DeadlineQueue::DeadlineQueue() : thread_([this] { Loop(); }) {}

DeadlineQueue::~DeadlineQueue() {
  std::map<Key, std::function<void()>> dropped;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    dropped.swap(queue_);
    index_.clear();
  }
  cv_.notify_all();
  thread_.join();
  // `dropped` is destroyed here, outside the lock.
}

uint64_t DeadlineQueue::Schedule(Clock::time_point at, std::function<void()> fn) {
  uint64_t id;
  bool earliest;
  {
    std::lock_guard<std::mutex> lock(mu_);
    id = ++next_id_;
    auto [it, inserted] = queue_.emplace(Key{at, id}, std::move(fn));
    index_.emplace(id, at);
    earliest = it == queue_.begin();
  }
  if (earliest) cv_.notify_all();
  return id;
}

void DeadlineQueue::Cancel(uint64_t id) {
  std::function<void()> dropped;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = index_.find(id);
  if (it == index_.end()) return;
  auto entry = queue_.find(Key{it->second, id});
  if (entry != queue_.end()) {
    dropped = std::move(entry->second);
    queue_.erase(entry);
  }
  index_.erase(it);
  // `dropped` may own the last reference to a request's state; it is
  // destroyed after the lock (declared before the guard).
}

void DeadlineQueue::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    if (queue_.empty()) {
      cv_.wait(lock);
      continue;
    }
    auto first = queue_.begin();
    // A copy: Cancel may erase the entry while the wait has the lock released.
    const Clock::time_point due = first->first.first;
    if (Clock::now() < due) {
      cv_.wait_until(lock, due);
      continue;
    }
    std::function<void()> fn = std::move(first->second);
    index_.erase(first->first.second);
    queue_.erase(first);
    lock.unlock();
    fn();
    fn = nullptr;
    lock.lock();
  }
}

}  // namespace storewire::ingress
