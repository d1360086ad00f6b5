#pragma once

#include <optional>
#include <string_view>

#include "common/status.h"
#include "model/records.h"
#include "store/sqlite/sqlite_db.h"

// SqliteStore's click statements shared by its files (sqlite_clicks.cc, sqlite_write.cc,
// sqlite_export.cc, sqlite_maintenance.cc), over the rowid table clicks and its index
// clicks_clicked_at (clicked_at, exp) of schema/sqlite/006_clicks_rowid.sql.
namespace thrad {

// The stored click (partner_id, click_id) read on `db`; nullopt when none.
Result<std::optional<ClickRecord>> FindStoredClick(SqliteDb& db, std::string_view partner_id,
                                                   std::string_view click_id);

// Export: clicks clicked at or after ?1, in the order of the index (ties, rare, sorted by
// identity as PostgreSQL does).
inline constexpr std::string_view kClicksClickedSince = "clicked_at >= ?1";
inline constexpr std::string_view kClicksExportOrder = "clicked_at, partner_id, click_id";

// Prune: the rowids of up to ?3 clicks older than ?1 (the cutoff) and past their exp (exp before
// ?2, the current Unix second: a click is kept through the second of its exp), oldest first.
// Answered from the index alone: the clicks passed over are never read from the table.
inline constexpr std::string_view kFindExpiredClicks =
    "SELECT rowid FROM clicks WHERE clicked_at < ?1 AND (exp IS NULL OR exp < ?2) "
    "ORDER BY clicked_at LIMIT ?3";
// How many clicks kFindExpiredClicks would find without its limit (prune --dry-run).
inline constexpr std::string_view kCountExpiredClicks =
    "SELECT count(*) FROM clicks WHERE clicked_at < ?1 AND (exp IS NULL OR exp < ?2)";
// Deletes the click of rowid ?3 if it is older than ?1 and past its exp at second ?2 (checked
// again: another prune may have deleted it meanwhile, and a new click taken its rowid).
inline constexpr std::string_view kDeleteExpiredClick =
    "DELETE FROM clicks WHERE rowid = ?3 AND clicked_at < ?1 AND (exp IS NULL OR exp < ?2)";

}  // namespace thrad
