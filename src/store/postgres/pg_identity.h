#pragma once

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "model/identity.h"

namespace thrad {

// Lock order. Inserting a unique key that another open transaction has just inserted waits for
// that transaction; two transactions that insert the same keys in opposite orders wait for each
// other, and PostgreSQL breaks such a deadlock only after deadlock_timeout (1 s by default) by
// failing one of them. So every writer inserts the rows that can conflict in one global order:
// events, then clicks, then conversions (the order of the batch write's statements, pg_write.cc),
// each kind ascending by its unique key: events by (partner_id, tag_id, event_id), clicks by
// (partner_id, click_id), conversions by (partner_id, click_id, event_type, dedup_key). Rows
// that cannot conflict (no event_id or dedup key: NULLs never conflict; every click can) keep
// their places, and the conflict-capable ones are sorted among the places they hold, so a batch
// stays in arrival order as far as it can.
//
// `key(row)` is the row's unique key (a tuple of string_views), or nullopt when it cannot
// conflict.
template <typename Row, typename KeyFn>
void SortInLockOrder(std::vector<Row>& rows, KeyFn key) {
  std::vector<size_t> places;
  std::vector<Row> locking;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (key(rows[i])) {
      places.push_back(i);
      locking.push_back(rows[i]);
    }
  }
  if (locking.size() < 2) return;
  std::stable_sort(locking.begin(), locking.end(),
                   [&key](const Row& a, const Row& b) { return *key(a) < *key(b); });
  for (size_t j = 0; j < places.size(); ++j) rows[places[j]] = locking[j];
}

}  // namespace thrad
