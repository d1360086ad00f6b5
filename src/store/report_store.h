#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "model/records.h"
#include "model/refusal.h"
#include "store/rollup.h"

namespace thrad {

// Which rollup counters a report reads: one partner's (or every partner's, for admin keys), in
// the buckets [from_bucket, to_bucket) (multiples of kRollupBucketMicros), summed over the
// dimensions not asked for.
struct RollupQuery {
  std::optional<std::string> partner_id;  // nullopt: every partner, summed
  int64_t from_bucket = 0;
  int64_t to_bucket = 0;
  bool by_bucket = true;  // false: one row per group for the whole range
  // With by_bucket: the report's period starts, ascending, the first <= from_bucket. When given,
  // the store folds each bucket into the last start <= it (in the database, so it sends one row
  // per period and group instead of one per 15-minute bucket) and a row's `bucket` is that start.
  std::vector<int64_t> periods;
  // The dimensions kept (the others are summed over; a row then has nullopt there).
  // events: tag_id, event_name; clicks: campaign_id, tag_id; conversions: campaign_id,
  // event_type, currency, click_tag_id.
  std::array<bool, 4> dims{};
  // Conversions: whether their latency counters are read. The campaigns report has none: without
  // them a conversion row has six columns fewer (8, not 14, on SQLite; ConversionRollupRow::latency
  // stays 0).
  bool latency = true;
};

struct EventRollupRow {
  int64_t bucket = 0;  // 0 when !by_bucket
  std::optional<std::string> tag_id;
  std::optional<std::string> event_name;
  int64_t events = 0;
};

struct ClickRollupRow {
  int64_t bucket = 0;
  std::optional<std::string> campaign_id;
  std::optional<std::string> tag_id;
  int64_t clicks = 0;
  int64_t filtered_clicks = 0;
};

// Conversions are always kept apart by currency (amounts in different currencies are never
// added), whatever `dims` says about it.
struct ConversionRollupRow {
  int64_t bucket = 0;
  std::optional<std::string> campaign_id;
  std::optional<std::string> event_type;
  std::string currency;
  std::optional<std::string> click_tag_id;
  int64_t conversions = 0;
  Micros128 value_micros = 0;
  std::array<int64_t, kLatencyBuckets> latency{};
};

// A page of raw conversions (REPORTS.md section 4).
struct ConversionPageQuery {
  std::optional<std::string> partner_id;  // nullopt: every partner
  UnixMicros from = 0;                    // received_at >= from
  UnixMicros to = 0;                      // received_at < to
  std::string after;                      // a cursor from an earlier page; empty: the start
  size_t limit = 100;
};
struct ConversionPage {
  std::vector<std::string> rows;  // export JSON objects (export_format.h), in page order
  // The cursor after the last row of this page; empty when the page holds no row (the caller
  // then hands back the cursor it was given).
  std::string last;
};

// Diagnostics (REPORTS.md section 5): the refusals of one partner (or every partner's), counts of
// the hourly buckets from `from_bucket` on and the newest samples since `since`.
struct RefusalQuery {
  std::optional<std::string> partner_id;  // nullopt: every partner, summed
  int64_t from_bucket = 0;                // refusal_counts.bucket >= this
  UnixMicros since = 0;                   // refusal_samples.at >= this
  size_t limit = kRefusalSamplesKept;     // samples, newest first
};
struct RefusalCountRow {
  std::string route;
  int status = 0;
  std::string detail;
  std::string type;  // "" for none
  std::string loc;   // "" for none, else a JSON array
  int64_t count = 0;
};
struct RefusalReport {
  std::vector<RefusalCountRow> counts;  // by count descending, then by the other fields
  std::vector<RefusalSample> recent;    // newest first
};

// The reports role: pre-aggregated counters (rollup.h) and paging through raw conversions. Never
// scans raw rows for a report.
//
// Thread-safety: every method may be called from any thread at any time. Reads run on the
// store's read connection(s), never the writer's; each read is one statement (one snapshot), so
// it reflects every transaction committed before it began.
class ReportStore {
 public:
  virtual ~ReportStore() = default;

  // Calls `row` for the rows of each group, in no particular order: a group may come once or
  // several times (day rows that are already one per period and group, pending counters of
  // PostgreSQL, below), and for a report whose periods do not start at UTC midnights (an hour
  // plan, rollup_sql.h: HourPlanOf) also with negative counters (hour rows moved out of
  // their day row's period). The caller adds up the rows of a group and leaves out a group
  // whose counters add up to 0 (no rollup row counts 0).
  virtual Status ReadEventRollups(const RollupQuery& q,
                                  const std::function<void(const EventRollupRow&)>& row) = 0;
  virtual Status ReadClickRollups(const RollupQuery& q,
                                  const std::function<void(const ClickRollupRow&)>& row) = 0;
  virtual Status ReadConversionRollups(
      const RollupQuery& q, const std::function<void(const ConversionRollupRow&)>& row) = 0;

  // What one FoldPendingRollups call did: the pending rows it moved, and whether it stopped at
  // its batch size, so that more rows may be pending (fold again at once).
  struct RollupFold {
    size_t moved = 0;
    bool more = false;
  };

  // Moves pending counters into the rollups. A store whose write transactions append their
  // counters instead of adding them to the rollups (PostgreSQL:
  // schema/postgres/009_rollup_pending.sql) moves them here, in one transaction per call, at
  // most a bounded batch of rows; the reads above count pending rows too, so a fold never
  // changes an answer. Run it about once a second (RollupFolder); moves nothing when nothing is
  // pending. SQLite adds the counters in the write transaction: nothing is ever pending.
  virtual Result<RollupFold> FoldPendingRollups() { return RollupFold{}; }

  // The next `limit` stored conversions received in [from, to) after the cursor `after`, in the
  // order they became visible: a row committed after a page was read always comes after that
  // page's cursor, so paging returns every row once while writes go on. InvalidArgument when
  // `after` is not a cursor of this store.
  virtual Result<ConversionPage> ListConversions(const ConversionPageQuery& q) = 0;

  // The refusal counts (summed over buckets and, without a partner, over partners) and the
  // newest samples (REPORTS.md section 5).
  virtual Result<RefusalReport> ReadRefusals(const RefusalQuery& q) = 0;
};

}  // namespace thrad
