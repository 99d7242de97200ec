// Wires the store adapters built into this binary. Adding a store is one line
// here plus its library in CMakeLists.txt.
#include "storewire/normalizer/normalizer.h"

namespace storewire::normalizer {

absl::StatusOr<AdapterSet> BuildAdapters(const Config& config) {
  AdapterSet adapters;
  return adapters;
}

}  // namespace storewire::normalizer
