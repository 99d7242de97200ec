// Remembers, per purchase token, the first token of its linked chain (the
// subscription key), so that later events of an upgraded / resubscribed
// subscription need no walk through the Play API.
//
//   LinkCache cache(100000);
//   cache.Put("tok-3", "tok-1");
//   cache.Get("tok-3");  // "tok-1"
//
// A bounded LRU in memory: after a restart the chains are rebuilt from the API
// (the walk is deterministic, so the keys do not change). Thread-safe.
#ifndef STOREWIRE_STORES_GOOGLE_LINK_CACHE_H_
#define STOREWIRE_STORES_GOOGLE_LINK_CACHE_H_

#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "absl/strings/string_view.h"

namespace storewire::stores::google {

class LinkCache {
 public:
  explicit LinkCache(size_t capacity) : capacity_(capacity < 1 ? 1 : capacity) {}

  std::optional<std::string> Get(const std::string& token) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = index_.find(token);
    if (it == index_.end()) return std::nullopt;
    order_.splice(order_.begin(), order_, it->second);
    return it->second->second;
  }

  void Put(const std::string& token, const std::string& root) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = index_.find(token);
    if (it != index_.end()) {
      it->second->second = root;
      order_.splice(order_.begin(), order_, it->second);
      return;
    }
    order_.emplace_front(token, root);
    index_[token] = order_.begin();
    if (order_.size() > capacity_) {
      index_.erase(order_.back().first);
      order_.pop_back();
    }
  }

  size_t size() {
    std::lock_guard<std::mutex> lock(mu_);
    return order_.size();
  }

 private:
  const size_t capacity_;
  std::mutex mu_;
  std::list<std::pair<std::string, std::string>> order_;  // most recent first
  std::unordered_map<std::string, std::list<std::pair<std::string, std::string>>::iterator> index_;
};

}  // namespace storewire::stores::google

#endif  // STOREWIRE_STORES_GOOGLE_LINK_CACHE_H_
