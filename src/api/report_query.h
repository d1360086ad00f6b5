#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/field_error.h"
#include "model/records.h"

namespace date {
class time_zone;
}

namespace thrad {

// The query of GET /v1/api/reports/{kind} and GET /v1/api/conversions (REPORTS.md sections
// 2-4): parsed and checked without I/O. Every problem is a 422 at ["query", NAME].

enum class ReportKind { kEvents, kClicks, kConversions, kCampaigns };
enum class Granularity { kHour, kDay, kTotal };

// "events" -> kEvents, ...; nullopt for any other name.
std::optional<ReportKind> ParseReportKind(std::string_view name);
std::string_view ReportKindName(ReportKind kind);
std::string_view GranularityName(Granularity g);
// The group_by dimensions a kind accepts, in their canonical order.
std::vector<std::string_view> ReportDimensions(ReportKind kind);

// The longest range a report or a conversions page covers.
inline constexpr int kMaxReportDays = 366;
// Reports answer from 15-minute rollups: an RFC 3339 bound must fall on a quarter hour.
inline constexpr int64_t kReportQuantumMicros = int64_t{15} * 60 * 1'000'000;
// GET /v1/api/conversions: `limit` bounds and default.
inline constexpr int64_t kMaxConversionsPage = 1000;
inline constexpr int64_t kDefaultConversionsPage = 100;

// Who is asking: the key's partner and whether it may read every partner (admin scope).
struct ReportCaller {
  std::string partner_id;
  bool admin = false;
};

struct ReportQuery {
  ReportKind kind = ReportKind::kEvents;
  UnixMicros from = 0;             // first instant included
  UnixMicros to = 0;               // first instant excluded
  std::string from_text, to_text;  // as given, echoed in the answer
  std::string tz_name = "UTC";
  const date::time_zone* tz = nullptr;  // never null once parsed
  Granularity granularity = Granularity::kDay;
  std::vector<std::string> group_by;      // as given, without repeats
  std::optional<std::string> partner_id;  // nullopt: every partner (admin without `partner`)
  // GET /v1/api/conversions only.
  int64_t limit = kDefaultConversionsPage;
  std::string cursor;
};

// The partner a report reads (`partner` as given, or null when absent): the caller's own for a
// reports key, the one named or nullopt (every partner) for an admin key. A bad value or a
// reports key naming another partner adds a 422 at ["query","partner"] (then nullopt).
std::optional<std::string> ReportPartner(const std::string* given, const ReportCaller& caller,
                                         std::vector<FieldError>& errors);

// Parses a report's query string for `kind`. Unknown parameters, repeated parameters and every
// bad value are listed.
Parsed<ReportQuery> ParseReportQuery(ReportKind kind, std::string_view query,
                                     const ReportCaller& caller);

// Parses GET /v1/api/conversions' query: from, to, tz, partner as a report's, plus limit and
// cursor (the cursor is checked by the store).
Parsed<ReportQuery> ParseConversionsQuery(std::string_view query, const ReportCaller& caller);

// The zone named `name` (IANA, e.g. "America/New_York"), or null when there is none.
const date::time_zone* FindTimeZone(std::string_view name);

// The start (UTC) of the period of `granularity` in `tz` that holds the instant `t`: the first
// instant of its local date (day), or the start of its local hour (hour; the repeated hour of a
// DST fall-back is two periods). `t` for kTotal.
UnixMicros PeriodStart(const date::time_zone* tz, Granularity granularity, UnixMicros t);

// The starts of the periods of `granularity` (hour or day) in `tz` that hold an instant of
// [from, to), ascending; the first is PeriodStart(from), at or before `from`. Each later start is
// found by one guess (an hour or a day on) checked by two look-ups, else a binary search over
// the quarter hours of the next two days, so a DST change costs a few more look-ups, not one per
// quarter hour.
std::vector<UnixMicros> PeriodStarts(const date::time_zone* tz, Granularity granularity,
                                     UnixMicros from, UnixMicros to);

// RFC 3339 text of `t` as a local time in `tz` with its offset: "2026-03-08T00:00:00-05:00".
std::string FormatLocalRfc3339(const date::time_zone* tz, UnixMicros t);

}  // namespace thrad
