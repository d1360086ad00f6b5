#include "http/refusal_flusher.h"

#include <utility>

namespace thrad {

RefusalFlusher::RefusalFlusher(RefusalAggregator& refusals, GroupCommitWriter& writer,
                               const Clock& clock, std::chrono::milliseconds every)
    : refusals_(refusals), writer_(writer), clock_(clock), every_(every) {}

RefusalFlusher::~RefusalFlusher() { Stop(); }

void RefusalFlusher::Start() {
  thread_ = std::thread([this] { Run(); });
}

void RefusalFlusher::Run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    cv_.wait_for(lock, every_, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    FlushOnce(false);
    lock.lock();
  }
}

bool RefusalFlusher::FlushOnce(bool wait) {
  std::unique_lock lock(mu_);
  if (wait) cv_.wait(lock, [this] { return in_flight_ == nullptr; });
  if (in_flight_ != nullptr) return false;  // the previous flush is still being committed
  std::optional<RefusalWrite> write = refusals_.Take(clock_.NowMicros());
  if (!write) return true;
  auto op = std::make_unique<WriteOp>();
  op->payload = std::move(*write);
  WriteOp* raw = op.get();
  op->on_done = [this, raw] {
    // Runs on the writer thread. The op (and this callback) is freed last, by `finished`,
    // after every use of the captures.
    RefusalFlusher* self = this;
    std::unique_ptr<WriteOp> finished;
    std::lock_guard done(self->mu_);
    self->last_ok_ = raw->status.ok();
    if (!self->last_ok_) {
      self->refusals_.Restore(std::move(std::get<RefusalWrite>(raw->payload)));
    }
    finished = std::move(self->in_flight_);
    self->cv_.notify_all();
  };
  in_flight_ = std::move(op);
  if (Status st = writer_.Submit(raw); !st.ok()) {
    // Queue full or writer stopped: on_done never runs; keep the deltas for the next flush.
    refusals_.Restore(std::move(std::get<RefusalWrite>(raw->payload)));
    in_flight_.reset();
    return false;
  }
  if (!wait) return true;
  cv_.wait(lock, [this] { return in_flight_ == nullptr; });
  return last_ok_;
}

void RefusalFlusher::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (FlushOnce(true)) return;
    std::this_thread::sleep_for(every_);
  }
}

}  // namespace thrad
