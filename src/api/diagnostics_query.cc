#include "api/diagnostics_query.h"

#include <algorithm>
#include <charconv>

#include "api/query_params.h"

namespace thrad {
namespace {

FieldLoc QueryLoc(std::string_view name) { return {std::string("query"), std::string(name)}; }

}  // namespace

Parsed<DiagnosticsQuery> ParseDiagnosticsQuery(std::string_view query, const ReportCaller& caller) {
  static constexpr std::string_view kKnown[] = {"hours", "partner"};
  Parsed<DiagnosticsQuery> out;
  std::optional<std::vector<QueryParam>> list = ParseQueryParams(query);
  if (!list) {
    out.errors.push_back(ValueError({std::string("query")}, "malformed percent-encoding"));
    return out;
  }
  const QueryParam* hours = nullptr;
  const QueryParam* partner = nullptr;
  for (const QueryParam& p : *list) {
    if (std::find(std::begin(kKnown), std::end(kKnown), p.key) == std::end(kKnown)) {
      out.errors.push_back(ExtraForbiddenError(QueryLoc(p.key)));
      continue;
    }
    const QueryParam*& slot = p.key == "hours" ? hours : partner;
    if (slot != nullptr) {
      out.errors.push_back(ValueError(QueryLoc(p.key), "given more than once"));
      continue;
    }
    slot = &p;
  }
  if (hours != nullptr) {
    int64_t h = 0;
    const char* first = hours->value.data();
    const char* last = first + hours->value.size();
    auto [end, ec] = std::from_chars(first, last, h);
    if (hours->value.empty() || ec != std::errc() || end != last) {
      FieldError e;
      e.loc = QueryLoc("hours");
      e.msg = "Input should be a valid integer, unable to parse string as an integer";
      e.type = "int_parsing";
      out.errors.push_back(std::move(e));
    } else if (h < 1) {
      out.errors.push_back(GreaterThanEqualError(QueryLoc("hours"), "1"));
    } else if (h > kMaxDiagnosticsHours) {
      out.errors.push_back(LessThanEqualError(QueryLoc("hours"), "168"));
    } else {
      out.record.hours = static_cast<int>(h);
    }
  }
  out.record.partner_id = ReportPartner(partner ? &partner->value : nullptr, caller, out.errors);
  return out;
}

}  // namespace thrad
