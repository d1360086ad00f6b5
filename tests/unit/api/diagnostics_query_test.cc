#include "api/diagnostics_query.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace thrad {
namespace {
namespace diagnostics_query_test {

using ::testing::ElementsAre;

const ReportCaller kAcme{"acme", false};
const ReportCaller kAdmin{"ops", true};

std::vector<std::string> Locs(const std::vector<FieldError>& errors) {
  std::vector<std::string> out;
  for (const FieldError& e : errors) {
    out.push_back(e.loc.size() > 1 ? std::get<std::string>(e.loc[1]) + ":" + e.type : e.type);
  }
  return out;
}

TEST(DiagnosticsQueryTest, DefaultsToADayOfTheCallersPartner) {
  Parsed<DiagnosticsQuery> p = ParseDiagnosticsQuery("", kAcme);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.record.hours, 24);
  EXPECT_EQ(p.record.partner_id, "acme");
}

TEST(DiagnosticsQueryTest, HoursFromOneTo168) {
  EXPECT_EQ(ParseDiagnosticsQuery("hours=1", kAcme).record.hours, 1);
  EXPECT_EQ(ParseDiagnosticsQuery("hours=168", kAcme).record.hours, 168);
  EXPECT_THAT(Locs(ParseDiagnosticsQuery("hours=0", kAcme).errors),
              ElementsAre("hours:greater_than_equal"));
  EXPECT_THAT(Locs(ParseDiagnosticsQuery("hours=169", kAcme).errors),
              ElementsAre("hours:less_than_equal"));
  for (const char* bad :
       {"hours=", "hours=x", "hours=1.5", "hours=+3", "hours=99999999999999999999"}) {
    EXPECT_THAT(Locs(ParseDiagnosticsQuery(bad, kAcme).errors), ElementsAre("hours:int_parsing"))
        << bad;
  }
}

TEST(DiagnosticsQueryTest, ListsEveryProblem) {
  Parsed<DiagnosticsQuery> p = ParseDiagnosticsQuery("hours=0&hours=2&x=1&partner=other", kAcme);
  EXPECT_THAT(Locs(p.errors), ElementsAre("hours:value_error", "x:extra_forbidden",
                                          "hours:greater_than_equal", "partner:value_error"));
  EXPECT_THAT(Locs(ParseDiagnosticsQuery("a=%zz", kAcme).errors), ElementsAre("value_error"));
}

TEST(DiagnosticsQueryTest, PartnerAsTheReportRoutes) {
  EXPECT_EQ(ParseDiagnosticsQuery("partner=acme", kAcme).record.partner_id, "acme");
  EXPECT_EQ(ParseDiagnosticsQuery("", kAdmin).record.partner_id, std::nullopt);
  Parsed<DiagnosticsQuery> one = ParseDiagnosticsQuery("partner=acme&hours=3", kAdmin);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one.record.partner_id, "acme");
  EXPECT_EQ(one.record.hours, 3);
  EXPECT_THAT(Locs(ParseDiagnosticsQuery("partner=", kAdmin).errors),
              ElementsAre("partner:value_error"));
}

}  // namespace diagnostics_query_test
}  // namespace
}  // namespace thrad
