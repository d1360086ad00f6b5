#pragma once

#include <atomic>
#include <cstdint>

namespace thrad {

// Whether the store works, as the components that use it last saw it: the one signal /readyz
// and thrad_store_healthy read. Each user reports what its own last access to the store did
// (the writer its commits and probes, the key cache its look-ups); the store is healthy while
// none of them last saw a failure. A failing user must also retry (probe) by itself, so the
// signal recovers without traffic: a server out of the load balancer's rotation gets none.
//
// Thread-safety: every method may be called from any thread (relaxed atomics: the signal
// is advisory, read by health checks).
class StoreHealth {
 public:
  // Who reports. Each is one bit of the failing set.
  enum class Reporter : uint8_t { kWriter = 0, kKeyReads = 1 };

  void Report(Reporter who, bool ok) {
    const uint32_t bit = 1u << static_cast<unsigned>(who);
    if (ok) {
      failing_.fetch_and(~bit, std::memory_order_relaxed);
    } else {
      failing_.fetch_or(bit, std::memory_order_relaxed);
    }
  }

  // True while no reporter's last access failed.
  bool healthy() const { return failing_.load(std::memory_order_relaxed) == 0; }
  // True unless `who`'s last access failed.
  bool healthy(Reporter who) const {
    return (failing_.load(std::memory_order_relaxed) & (1u << static_cast<unsigned>(who))) == 0;
  }

 private:
  std::atomic<uint32_t> failing_{0};
};

}  // namespace thrad
