#include "auth/key_cache.h"

#include <optional>

#include "auth/api_key.h"

namespace thrad {
namespace {

std::shared_ptr<const KeyRecord> IfActive(const std::shared_ptr<const KeyRecord>& rec,
                                          UnixMicros now) {
  if (rec == nullptr || !rec->ActiveAt(now)) return nullptr;
  return rec;
}

}  // namespace

KeyCache::KeyCache(KeyStore& store, const Clock& clock, std::chrono::milliseconds ttl,
                   size_t max_entries)
    : store_(store),
      clock_(clock),
      ttl_micros_(std::chrono::duration_cast<std::chrono::microseconds>(ttl).count()),
      max_entries_(max_entries == 0 ? 1 : max_entries) {}

bool KeyCache::Fresh(const Entry& e, UnixMicros now) const {
  // A clock that went backwards makes the entry stale rather than fresh for ever.
  UnixMicros age = now - e.fetched_at;
  return age >= 0 && age < ttl_micros_;
}

Result<std::shared_ptr<const KeyRecord>> KeyCache::Lookup(std::string_view secret) {
  std::string digest = KeyDigest(secret);
  UnixMicros now = clock_.NowMicros();
  {
    std::shared_lock lock(mu_);
    auto it = entries_.find(digest);
    if (it != entries_.end() && Fresh(it->second, now)) return IfActive(it->second.record, now);
  }

  // Read outside the lock: concurrent misses for one digest may each read the store, which
  // is harmless and keeps a slow store from blocking hits on other keys.
  Result<std::optional<KeyRecord>> found = ReadStore(digest);
  if (!found.ok()) {
    return Status::Unavailable("key lookup failed: " + found.status().message());
  }
  Entry entry;
  entry.fetched_at = now;
  if (found->has_value()) {
    entry.record = std::make_shared<const KeyRecord>(std::move(**found));
  }
  std::shared_ptr<const KeyRecord> record = entry.record;
  {
    std::unique_lock lock(mu_);
    InsertLocked(std::move(digest), std::move(entry), now);
  }
  return IfActive(record, now);
}

Result<std::optional<KeyRecord>> KeyCache::ReadStore(std::string_view digest) {
  Result<std::optional<KeyRecord>> found = store_.FindKeyByDigest(digest);
  reads_healthy_.store(found.ok(), std::memory_order_relaxed);
  if (health_ != nullptr) health_->Report(StoreHealth::Reporter::kKeyReads, found.ok());
  return found;
}

void KeyCache::ProbeIfFailing() {
  if (reads_healthy()) return;
  // Not a key's digest: secrets have another form, so the read finds nothing either way.
  static const std::string kProbeDigest = KeyDigest("thrad-events key store probe");
  (void)ReadStore(kProbeDigest);
}

void KeyCache::InsertLocked(std::string digest, Entry entry, UnixMicros now) {
  auto it = entries_.find(digest);
  if (it != entries_.end()) {
    it->second = std::move(entry);
    return;
  }
  if (entries_.size() >= max_entries_) {
    std::erase_if(entries_, [&](const auto& kv) { return !Fresh(kv.second, now); });
    if (entries_.size() >= max_entries_) entries_.clear();
  }
  entries_.emplace(std::move(digest), std::move(entry));
}

size_t KeyCache::size() const {
  std::shared_lock lock(mu_);
  return entries_.size();
}

void KeyCache::NoteUse(const std::string& key_id, UnixMicros at) {
  std::lock_guard lock(usage_mu_);
  auto [it, inserted] = usage_.try_emplace(key_id, at);
  if (!inserted && it->second < at) it->second = at;
}

std::vector<std::pair<std::string, UnixMicros>> KeyCache::DrainUsage() {
  std::unordered_map<std::string, UnixMicros> taken;
  {
    std::lock_guard lock(usage_mu_);
    taken.swap(usage_);
  }
  return {std::make_move_iterator(taken.begin()), std::make_move_iterator(taken.end())};
}

}  // namespace thrad
