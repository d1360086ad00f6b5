#include "api/report_query.h"

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <exception>
#include <span>

#include "api/query_params.h"
#include "common/time_format.h"

namespace thrad {
namespace {

using std::chrono::duration_cast;
using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using SysMicros = date::sys_time<microseconds>;

constexpr size_t kMaxPartnerChars = 128;
constexpr int64_t kDayMicros = int64_t{86400} * 1'000'000;

FieldLoc QueryLoc(std::string_view name) { return {std::string("query"), std::string(name)}; }

FieldError QueryValueError(std::string_view name, std::string_view reason) {
  return ValueError(QueryLoc(name), reason);
}

// "YYYY-MM-DD" -> the local date; nullopt when not exactly that or not a calendar date.
std::optional<date::local_days> ParseDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  auto num = [&](size_t at, size_t n) -> int {
    int v = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return -1;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  const int y = num(0, 4), m = num(5, 2), d = num(8, 2);
  if (y < 1 || m < 0 || d < 0) return std::nullopt;
  const date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(m)},
                                 date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return date::local_days{ymd};
}

UnixMicros ToMicros(SysMicros t) { return t.time_since_epoch().count(); }
SysMicros FromMicros(UnixMicros t) { return SysMicros{microseconds{t}}; }

// The first instant of local date `d` in `tz` (after the gap when its midnight does not exist).
UnixMicros StartOfLocalDay(const date::time_zone* tz, date::local_days d) {
  const date::sys_seconds s = tz->to_sys(date::local_seconds{d}, date::choose::earliest);
  return ToMicros(std::chrono::time_point_cast<microseconds>(s));
}

// The offset from UTC of `tz` at instant `t`.
seconds OffsetAt(const date::time_zone* tz, UnixMicros t) {
  return tz->get_info(date::floor<seconds>(FromMicros(t))).offset;
}

// One bound: a date (the start of that local day; for `to` the start of the next) or an RFC 3339
// date-time. Errors go to `errors` at ["query", name].
struct Bound {
  std::optional<UnixMicros> at;
  std::optional<date::local_days> day;  // when given as a date
};

// `quarter_hours`: an instant must fall on a quarter hour (reports; raw conversions need not).
Bound ParseBound(std::string_view name, const std::string& text, const date::time_zone* tz,
                 bool is_to, bool quarter_hours, std::vector<FieldError>& errors) {
  Bound b;
  if (auto d = ParseDate(text)) {
    b.day = d;
    if (tz != nullptr) b.at = StartOfLocalDay(tz, is_to ? *d + date::days{1} : *d);
    return b;
  }
  Result<int64_t> t = ParseIsoDateTime(text);
  if (!t.ok()) {
    errors.push_back(DatetimeParsingError(QueryLoc(name),
                                          "expected a date YYYY-MM-DD or an RFC 3339 date-time"));
    return b;
  }
  if (quarter_hours && *t % kReportQuantumMicros != 0) {
    errors.push_back(
        QueryValueError(name, "must fall on a quarter hour (reports count in 15-minute buckets)"));
    return b;
  }
  b.at = *t;
  return b;
}

// The parameters of a query, each at most once; the others are extra.
struct Params {
  std::vector<QueryParam> list;
  const QueryParam* Find(std::string_view key) const {
    for (const QueryParam& p : list) {
      if (p.key == key) return &p;
    }
    return nullptr;
  }
};

// Splits `query`, listing unknown and repeated parameters. nullopt when the query is not
// decodable (one error at ["query"]).
std::optional<Params> ReadParams(std::string_view query, std::span<const std::string_view> known,
                                 std::vector<FieldError>& errors) {
  std::optional<std::vector<QueryParam>> list = ParseQueryParams(query);
  if (!list) {
    errors.push_back(ValueError({std::string("query")}, "malformed percent-encoding"));
    return std::nullopt;
  }
  Params params;
  for (QueryParam& p : *list) {
    if (std::find(known.begin(), known.end(), p.key) == known.end()) {
      errors.push_back(ExtraForbiddenError(QueryLoc(p.key)));
      continue;
    }
    if (params.Find(p.key) != nullptr) {
      errors.push_back(QueryValueError(p.key, "given more than once"));
      continue;
    }
    params.list.push_back(std::move(p));
  }
  return params;
}

// from, to, tz and partner: what every report and the conversions page share.
void ParseCommon(const Params& params, const ReportCaller& caller, bool quarter_hours,
                 ReportQuery& q, std::vector<FieldError>& errors) {
  if (const QueryParam* tz = params.Find("tz")) {
    q.tz_name = tz->value;
    q.tz = FindTimeZone(tz->value);
    if (q.tz == nullptr) {
      errors.push_back(QueryValueError("tz",
                                       "unknown time zone (an IANA name such as "
                                       "Europe/Paris is expected)"));
    }
  } else {
    q.tz = FindTimeZone("UTC");
  }
  Bound from, to;
  const QueryParam* from_p = params.Find("from");
  const QueryParam* to_p = params.Find("to");
  if (from_p == nullptr) {
    errors.push_back(MissingError(QueryLoc("from")));
  } else {
    q.from_text = from_p->value;
    from = ParseBound("from", from_p->value, q.tz, false, quarter_hours, errors);
  }
  if (to_p == nullptr) {
    errors.push_back(MissingError(QueryLoc("to")));
  } else {
    q.to_text = to_p->value;
    to = ParseBound("to", to_p->value, q.tz, true, quarter_hours, errors);
  }
  if (from.at && to.at) {
    q.from = *from.at;
    q.to = *to.at;
    if (q.to <= q.from) {
      errors.push_back(QueryValueError("to", "must be after from"));
    } else if (from.day && to.day ? (*to.day - *from.day).count() + 1 > kMaxReportDays
                                  : q.to - q.from > kMaxReportDays * kDayMicros) {
      errors.push_back(QueryValueError("to", "the range covers more than 366 days"));
    }
  }

  const QueryParam* partner = params.Find("partner");
  q.partner_id = ReportPartner(partner ? &partner->value : nullptr, caller, errors);
}

}  // namespace

std::optional<std::string> ReportPartner(const std::string* given, const ReportCaller& caller,
                                         std::vector<FieldError>& errors) {
  if (given == nullptr) {
    if (caller.admin) return std::nullopt;
    return caller.partner_id;
  }
  if (given->empty() || given->size() > kMaxPartnerChars) {
    errors.push_back(QueryValueError("partner", "a partner id has 1-128 characters"));
  } else if (!caller.admin && *given != caller.partner_id) {
    errors.push_back(QueryValueError(
        "partner", "only an admin key may read another partner; a reports key reads its own"));
  } else {
    return *given;
  }
  return std::nullopt;
}

std::optional<ReportKind> ParseReportKind(std::string_view name) {
  if (name == "events") return ReportKind::kEvents;
  if (name == "clicks") return ReportKind::kClicks;
  if (name == "conversions") return ReportKind::kConversions;
  if (name == "campaigns") return ReportKind::kCampaigns;
  return std::nullopt;
}

std::string_view ReportKindName(ReportKind kind) {
  switch (kind) {
    case ReportKind::kEvents:
      return "events";
    case ReportKind::kClicks:
      return "clicks";
    case ReportKind::kConversions:
      return "conversions";
    case ReportKind::kCampaigns:
      return "campaigns";
  }
  return "events";
}

std::string_view GranularityName(Granularity g) {
  switch (g) {
    case Granularity::kHour:
      return "hour";
    case Granularity::kDay:
      return "day";
    case Granularity::kTotal:
      return "total";
  }
  return "day";
}

std::vector<std::string_view> ReportDimensions(ReportKind kind) {
  switch (kind) {
    case ReportKind::kEvents:
      return {"tag_id", "event_name"};
    case ReportKind::kClicks:
      return {"campaign_id", "tag_id"};
    case ReportKind::kConversions:
      return {"campaign_id", "event_type", "currency"};
    case ReportKind::kCampaigns:
      return {"campaign_id", "tag_id"};
  }
  return {};
}

const date::time_zone* FindTimeZone(std::string_view name) {
  if (name.empty() || name.size() > 64) return nullptr;
  try {
    // locate_zone throws std::runtime_error for an unknown name (and reads the system's zone
    // database once, on first use).
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return nullptr;
  }
}

Parsed<ReportQuery> ParseReportQuery(ReportKind kind, std::string_view query,
                                     const ReportCaller& caller) {
  static constexpr std::string_view kKnown[] = {"from",        "to",       "tz",
                                                "granularity", "group_by", "partner"};
  Parsed<ReportQuery> out;
  ReportQuery& q = out.record;
  q.kind = kind;
  std::optional<Params> params = ReadParams(query, kKnown, out.errors);
  if (!params) return out;
  ParseCommon(*params, caller, /*quarter_hours=*/true, q, out.errors);

  if (const QueryParam* g = params->Find("granularity")) {
    if (g->value == "hour") {
      q.granularity = Granularity::kHour;
    } else if (g->value == "day") {
      q.granularity = Granularity::kDay;
    } else if (g->value == "total") {
      q.granularity = Granularity::kTotal;
    } else {
      FieldError e;
      e.loc = QueryLoc("granularity");
      e.msg = "Input should be 'hour', 'day' or 'total'";
      e.type = "enum";
      out.errors.push_back(std::move(e));
    }
  }

  if (const QueryParam* g = params->Find("group_by"); g != nullptr && !g->value.empty()) {
    const std::vector<std::string_view> dims = ReportDimensions(kind);
    std::string expected;
    for (std::string_view d : dims) expected += (expected.empty() ? "" : ", ") + std::string(d);
    std::string_view rest = g->value;
    while (true) {
      const size_t comma = rest.find(',');
      const std::string name(rest.substr(0, comma));
      if (std::find(dims.begin(), dims.end(), name) == dims.end()) {
        out.errors.push_back(QueryValueError(
            "group_by", "unknown dimension '" + name + "' (expected " + expected + ")"));
      } else if (std::find(q.group_by.begin(), q.group_by.end(), name) != q.group_by.end()) {
        out.errors.push_back(QueryValueError("group_by", "'" + name + "' given more than once"));
      } else {
        q.group_by.push_back(name);
      }
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return out;
}

Parsed<ReportQuery> ParseConversionsQuery(std::string_view query, const ReportCaller& caller) {
  static constexpr std::string_view kKnown[] = {"from", "to", "tz", "partner", "limit", "cursor"};
  Parsed<ReportQuery> out;
  ReportQuery& q = out.record;
  q.kind = ReportKind::kConversions;
  std::optional<Params> params = ReadParams(query, kKnown, out.errors);
  if (!params) return out;
  ParseCommon(*params, caller, /*quarter_hours=*/false, q, out.errors);

  if (const QueryParam* l = params->Find("limit")) {
    int64_t limit = 0;
    const char* first = l->value.data();
    const char* last = first + l->value.size();
    auto [end, ec] = std::from_chars(first, last, limit);
    if (l->value.empty() || ec != std::errc() || end != last) {
      FieldError e;
      e.loc = QueryLoc("limit");
      e.msg = "Input should be a valid integer, unable to parse string as an integer";
      e.type = "int_parsing";
      out.errors.push_back(std::move(e));
    } else if (limit < 1) {
      out.errors.push_back(GreaterThanEqualError(QueryLoc("limit"), "1"));
    } else if (limit > kMaxConversionsPage) {
      out.errors.push_back(LessThanEqualError(QueryLoc("limit"), "1000"));
    } else {
      q.limit = limit;
    }
  }
  if (const QueryParam* c = params->Find("cursor")) q.cursor = c->value;
  return out;
}

UnixMicros PeriodStart(const date::time_zone* tz, Granularity granularity, UnixMicros t) {
  if (granularity == Granularity::kTotal) return t;
  const int64_t offset = duration_cast<microseconds>(OffsetAt(tz, t)).count();
  const int64_t local = t + offset;
  if (granularity == Granularity::kHour) {
    constexpr int64_t kHour = int64_t{3600} * 1'000'000;
    int64_t into = local % kHour;
    if (into < 0) into += kHour;
    return t - into;
  }
  const date::local_days day =
      date::floor<date::days>(date::local_time<microseconds>{microseconds{local}});
  return StartOfLocalDay(tz, day);
}

std::vector<UnixMicros> PeriodStarts(const date::time_zone* tz, Granularity granularity,
                                     UnixMicros from, UnixMicros to) {
  constexpr int64_t kHour = int64_t{3600} * 1'000'000;
  const int64_t nominal = granularity == Granularity::kHour ? kHour : 24 * kHour;
  std::vector<UnixMicros> starts;
  if (granularity == Granularity::kTotal || from >= to) return starts;
  starts.push_back(PeriodStart(tz, granularity, from));
  while (true) {
    const UnixMicros p = starts.back();
    // The common case: the next period starts `nominal` later.
    UnixMicros next = p + nominal;
    if (!(PeriodStart(tz, granularity, next) == next &&
          PeriodStart(tz, granularity, next - kReportQuantumMicros) == p)) {
      // A DST change (or a zone's rule change) in between: the first quarter hour after p whose
      // period is another. Periods never last two days, so it is within p + 2 days.
      int64_t lo = 1, hi = 2 * 24 * kHour / kReportQuantumMicros;  // in quarter hours after p
      while (lo < hi) {
        const int64_t mid = lo + (hi - lo) / 2;
        if (PeriodStart(tz, granularity, p + mid * kReportQuantumMicros) == p) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      next = PeriodStart(tz, granularity, p + lo * kReportQuantumMicros);
    }
    if (next >= to) return starts;
    starts.push_back(next);
  }
}

std::string FormatLocalRfc3339(const date::time_zone* tz, UnixMicros t) {
  const seconds offset = OffsetAt(tz, t);
  const auto local = date::local_time<microseconds>{microseconds{t} + offset};
  const date::local_days day = date::floor<date::days>(local);
  const date::year_month_day ymd{day};
  const date::hh_mm_ss<microseconds> tod{local - day};
  const int64_t off_min = duration_cast<minutes>(offset).count();
  const int64_t abs_min = off_min < 0 ? -off_min : off_min;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d%c%02d:%02d",
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<int>(tod.hours().count()),
                static_cast<int>(tod.minutes().count()), static_cast<int>(tod.seconds().count()),
                off_min < 0 ? '-' : '+', static_cast<int>(abs_min / 60),
                static_cast<int>(abs_min % 60));
  return buf;
}

}  // namespace thrad
