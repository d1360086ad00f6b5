#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/lru_cache.h"
#include "common/status.h"
#include "model/records.h"
#include "store/sqlite/sqlite_db.h"

namespace thrad {

// What a conversion takes from its click (ConversionRecord's bid_id, campaign_id, click_time,
// click_tag_id).
struct ConversionClick {
  std::optional<std::string> bid_id;  // nullopt: the click has no bid (kClickMissingBid)
  std::optional<std::string> campaign_id;
  UnixMicros clicked_at = 0;
  std::optional<std::string> tag_id;
};

// The writer's cache of the clicks its conversions read, so that a click's later conversions
// cost the writer only their insert, not also the look-up of their click (issue 18;
// docs/architecture.md "The click cache"). Filled by conversions' reads only, not by the clicks
// the writer stores: clicks come far more often than conversions, and most conversions come
// hours after their click, so caching every click stored would tax the click paths (and hold
// up to 20 MB) for few hits. Bounded (least recently used first out) and exact:
//  - a stored click never changes (no statement of ours updates one), so a cached click is the
//    stored one for as long as it is stored;
//  - a click can be deleted (prune, erase, any process's SQL): every deletion adds one to
//    click_deletions.n in its own transaction (triggers, schema/sqlite/012_click_deletions.sql).
//    The first look-up of each write transaction reads n, inside the transaction, where no
//    other transaction can commit; when it has moved since the cache was filled, the cache is
//    emptied first;
//  - what a transaction reads enters the cache only once its COMMIT has returned: a click of a
//    transaction rolled back (or of an op undone by its savepoint) never does.
//
// Used by the writer thread only (under SqliteStore's writer_mu_): not thread-safe.
class SqliteClickCache {
 public:
  // capacity 0: nothing is cached, every look-up reads the store.
  explicit SqliteClickCache(size_t capacity) : cache_(capacity, /*shards=*/1) {}

  // A new write transaction began on the writer connection.
  void Begin();

  // The click (partner_id, click_id) as stored, read from the cache or else on `db` (inside
  // the transaction Begin announced); nullopt when it is not stored.
  Result<std::optional<ConversionClick>> Find(SqliteDb& db, std::string_view partner_id,
                                              std::string_view click_id);

  // The transaction committed: the clicks it read enter the cache.
  void Committed();
  // The transaction was rolled back: the clicks it read are forgotten.
  void RolledBack() { pending_.clear(); }

  uint64_t hits() const { return cache_.Hits(); }
  uint64_t misses() const { return cache_.Misses(); }
  size_t size() const { return cache_.Size(); }

 private:
  // Empties the cache when click_deletions.n has moved since it was filled.
  Status CheckDeletions(SqliteDb& db);
  // key_ = the cache's key of (partner_id, click_id).
  void MakeKey(std::string_view partner_id, std::string_view click_id);

  ShardedLruCache<ConversionClick> cache_;
  std::optional<int64_t> deletions_;  // click_deletions.n the cache was filled under
  bool deletions_checked_ = false;    // in this transaction
  std::vector<std::pair<std::string, ConversionClick>> pending_;  // read, not yet committed
  std::string key_;  // reused: a look-up allocates nothing once it has grown
};

}  // namespace thrad
