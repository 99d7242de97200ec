// A small Prometheus registry: counters, gauges and histograms with labels,
// rendered in the text exposition format (version 0.0.4) for /metrics.
//
//   MetricsRegistry& m = MetricsRegistry::Default();
//   m.GetCounter("storewire_ingress_requests_total", "Requests by route and status",
//                {{"route", "apple"}, {"status", "200"}}).Increment();
//
// Get* returns a reference that stays valid for the registry's lifetime, so
// hot paths look a metric up once and keep it. Updates are lock-free; Get* and
// Render take a lock. Cardinality is the caller's duty: label values must come
// from bounded sets (configured app ids, store names, status codes).
//
// Written here because Debian bookworm packages no Prometheus client for C++.
#ifndef STOREWIRE_CORE_METRICS_H_
#define STOREWIRE_CORE_METRICS_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace storewire {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void Increment(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double v);
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);
  const std::vector<double>& bounds() const { return bounds_; }
  // Cumulative counts per bound, then +Inf.
  std::vector<uint64_t> CumulativeCounts() const;
  double Sum() const { return sum_.load(std::memory_order_relaxed); }
  uint64_t Count() const { return count_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;
  std::atomic<double> sum_{0};
  std::atomic<uint64_t> count_{0};
};

// Default latency buckets in seconds: 0.5 ms .. 10 s.
std::vector<double> LatencyBuckets();

class MetricsRegistry {
 public:
  static MetricsRegistry& Default();

  Counter& GetCounter(absl::string_view name, absl::string_view help, Labels labels = {});
  Gauge& GetGauge(absl::string_view name, absl::string_view help, Labels labels = {});
  Histogram& GetHistogram(absl::string_view name, absl::string_view help, Labels labels = {},
                          std::vector<double> bounds = LatencyBuckets());

  std::string Render() const;

 private:
  enum class Kind { kCounter, kGauge, kHistogram };
  struct Family {
    Kind kind;
    std::string help;
    std::map<Labels, std::unique_ptr<Counter>> counters;
    std::map<Labels, std::unique_ptr<Gauge>> gauges;
    std::map<Labels, std::unique_ptr<Histogram>> histograms;
  };
  Family& GetFamily(absl::string_view name, absl::string_view help, Kind kind);

  mutable std::mutex mu_;
  std::map<std::string, Family, std::less<>> families_;
};

}  // namespace storewire

#endif  // STOREWIRE_CORE_METRICS_H_
