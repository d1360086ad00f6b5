#include "store/postgres/pg_write_queries.h"

#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

#include "store/record_columns.h"

namespace thrad {
namespace {

// "unnest($1::text[], $2::bigint[], ...)": one array parameter per column of a `Record`
// (record_columns.h), bigint[] for its integers, float8[] for its doubles, boolean[] for its
// booleans and text[] for the rest.
template <typename Record>
std::string UnnestColumns() {
  std::string args;
  int n = 0;
  ForEachColumn(Record{}, [&](std::string_view, auto&& value) {
    using V = std::remove_cvref_t<decltype(value)>;
    constexpr bool integer =
        std::is_same_v<V, int64_t> || std::is_same_v<V, std::optional<int64_t>>;
    const char* type = integer                                    ? "::bigint[]"
                       : std::is_same_v<V, std::optional<double>> ? "::float8[]"
                       : std::is_same_v<V, std::optional<bool>>   ? "::boolean[]"
                                                                  : "::text[]";
    if (n > 0) args += ", ";
    args += "$" + std::to_string(++n) + type;
  });
  return "unnest(" + args + ")";
}

// "INSERT INTO <table>(<columns>) SELECT * FROM unnest(...) ON CONFLICT (<key>) DO NOTHING
// RETURNING <key>".
template <typename Record>
std::string InsertSql(std::string_view table, std::string_view unique_key) {
  const std::string key(unique_key);
  return "INSERT INTO " + std::string(table) + "(" + ColumnNames<Record>() + ") SELECT * FROM " +
         UnnestColumns<Record>() + " ON CONFLICT (" + key + ") DO NOTHING RETURNING " + key;
}

const std::string& InsertEventsSql() {
  static const auto* const kSql =
      new std::string(InsertSql<EventRecord>("events", "partner_id, tag_id, event_id"));
  return *kSql;
}

const std::string& InsertConversionsSql() {
  static const auto* const kSql = new std::string(
      InsertSql<ConversionRecord>("conversions", "partner_id, click_id, event_type, dedup_key"));
  return *kSql;
}

const std::string& InsertClicksSql() {
  static const auto* const kSql =
      new std::string(InsertSql<ClickRecord>("clicks", "partner_id, click_id"));
  return *kSql;
}

const std::string& FindStoredClicksSql() {
  static const auto* const kSql = [] {
    std::string columns;
    ForEachColumn(ClickRecord{}, [&columns](std::string_view name, auto&&) {
      columns += ", c.";
      columns += name;
    });
    return new std::string("SELECT k.ord" + columns +
                           " FROM unnest($1::text[], $2::text[]) WITH ORDINALITY "
                           "AS k(partner_id, click_id, ord) JOIN clicks c "
                           "ON c.partner_id = k.partner_id AND c.click_id = k.click_id");
  }();
  return *kSql;
}

constexpr char kFindEvents[] =
    "SELECT k.ord FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY "
    "AS k(partner_id, tag_id, event_id, ord) WHERE EXISTS (SELECT 1 FROM events e "
    "WHERE e.partner_id = k.partner_id AND e.tag_id = k.tag_id AND e.event_id = k.event_id)";

constexpr char kFindConversionClicks[] =
    "SELECT k.ord, c.bid_id, c.campaign_id, c.clicked_at, c.tag_id FROM unnest($1::text[], "
    "$2::text[]) "
    "WITH ORDINALITY "
    "AS k(partner_id, click_id, ord) JOIN clicks c "
    "ON c.partner_id = k.partner_id AND c.click_id = k.click_id";

constexpr char kFindConversions[] =
    "SELECT k.ord, c.conversion_time, c.value_micros, c.currency, c.order_id, c.key_id "
    "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY "
    "AS k(partner_id, click_id, event_type, dedup_key, ord) JOIN conversions c "
    "ON c.partner_id = k.partner_id AND c.click_id = k.click_id "
    "AND c.event_type = k.event_type AND c.dedup_key = k.dedup_key";

// The prepared statement `name`, `sql`, with `columns` as its parameters $1, $2, ...
PgQuery ArrayQuery(std::string sql, std::string name, std::vector<PgArray>& columns) {
  PgQuery q{std::move(sql), {}, std::move(name)};
  q.params.reserve(columns.size());
  for (PgArray& c : columns) q.params.emplace_back(std::move(c).Finish());
  return q;
}

// Appends each record's columns (record_columns.h) to `columns`, one array per column.
template <typename Record>
void AddRow(std::vector<PgArray>& columns, const Record& r) {
  size_t i = 0;
  ForEachColumn(r, [&](std::string_view, const auto& value) { columns[i++].Add(value); });
}

}  // namespace

PgQuery InsertEventsQuery(const std::vector<EventSlot>& slots) {
  std::vector<PgArray> columns(static_cast<size_t>(ColumnCount<EventRecord>()));
  for (const EventSlot& s : slots) AddRow(columns, *s.event);
  return ArrayQuery(InsertEventsSql(), "thrad_insert_events", columns);
}

PgQuery FindEventsQuery(const std::vector<EventSlot>& slots) {
  std::vector<PgArray> columns(3);
  for (const EventSlot& s : slots) {
    columns[0].Add(s.event->partner_id);
    columns[1].Add(s.event->tag_id);
    columns[2].Add(s.event->event_id);
  }
  return ArrayQuery(kFindEvents, "thrad_find_events", columns);
}

PgQuery InsertClicksQuery(const std::vector<ClickSlot>& slots) {
  std::vector<PgArray> columns(static_cast<size_t>(ColumnCount<ClickRecord>()));
  for (const ClickSlot& s : slots) AddRow(columns, *s.click);
  return ArrayQuery(InsertClicksSql(), "thrad_insert_clicks", columns);
}

PgQuery FindStoredClicksQuery(const std::vector<ClickSlot>& slots) {
  std::vector<PgArray> columns(2);
  for (const ClickSlot& s : slots) {
    columns[0].Add(s.click->partner_id);
    columns[1].Add(s.click->click_id);
  }
  return ArrayQuery(FindStoredClicksSql(), "thrad_find_stored_clicks", columns);
}

PgQuery FindConversionClicksQuery(const std::vector<ConvSlot>& slots) {
  std::vector<PgArray> columns(2);
  for (const ConvSlot& s : slots) {
    columns[0].Add(s.write->conversion.partner_id);
    columns[1].Add(s.write->conversion.click_id);
  }
  return ArrayQuery(kFindConversionClicks, "thrad_find_conversion_clicks", columns);
}

PgQuery InsertConversionsQuery(const std::vector<ConvSlot>& slots,
                               const std::vector<size_t>& which) {
  std::vector<PgArray> columns(static_cast<size_t>(ColumnCount<ConversionRecord>()));
  for (size_t idx : which) AddRow(columns, slots[idx].write->conversion);
  return ArrayQuery(InsertConversionsSql(), "thrad_insert_conversions", columns);
}

PgQuery FindConversionsQuery(const std::vector<ConvSlot>& slots, const std::vector<size_t>& which) {
  std::vector<PgArray> columns(4);
  for (size_t idx : which) {
    const ConversionRecord& c = slots[idx].write->conversion;
    columns[0].Add(c.partner_id);
    columns[1].Add(c.click_id);
    columns[2].Add(c.event_type);
    columns[3].Add(c.dedup_key);
  }
  return ArrayQuery(kFindConversions, "thrad_find_conversions", columns);
}

const std::string& CopyEventsSql() {
  static const auto* const kSql =
      new std::string("COPY events(" + ColumnNames<EventRecord>() + ") FROM STDIN (FORMAT binary)");
  return *kSql;
}

Status CheckCommitted(const PgResult& commit) {
  if (commit.CommandTag() == "COMMIT") return Status::Ok();
  return Status::Internal("PostgreSQL: transaction rolled back at COMMIT");
}

}  // namespace thrad
