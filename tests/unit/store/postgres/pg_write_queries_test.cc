// The statements of PostgresStore's batch write (pg_write_queries.h), built from the one column
// list (record_columns.h): the exact text each had when it was written out by hand.
#include "store/postgres/pg_write_queries.h"

#include <gtest/gtest.h>

#include <vector>

#include "store/store_test_util.h"

namespace thrad::test {
namespace {

TEST(PgWriteQueriesTest, InsertEventsIsOnePreparedStatementOverArrays) {
  WriteOp op = EventOp({Event("p1", "site:a", "e1"), Event("p2", "site:b", std::nullopt)});
  std::vector<EventSlot> slots;
  for (size_t i = 0; i < 2; ++i) {
    slots.push_back({&std::get<EventWrite>(op.payload).events[i], nullptr});
  }
  PgQuery q = InsertEventsQuery(slots);
  EXPECT_EQ(q.sql,
            "INSERT INTO events(partner_id, key_id, event_name, tag_id, event_id, \"timestamp\", "
            "page_url, referrer, user_agent, session_id, client_id, attribution_type, "
            "impression_id, click_id, bid_id, impression_state, view_time_ms, consent_json, "
            "params_json, channel, client_ip, received_at, geo_country, geo_region, geo_city, "
            "geo_lat, geo_lon, ua_browser, "
            "ua_browser_version, ua_os, ua_device, is_bot) "
            "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], "
            "$6::bigint[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], "
            "$12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::bigint[], "
            "$18::text[], $19::text[], $20::text[], $21::text[], $22::bigint[], $23::text[], "
            "$24::text[], $25::text[], $26::float8[], $27::float8[], "
            "$28::text[], $29::text[], $30::text[], $31::text[], $32::boolean[]) "
            "ON CONFLICT (partner_id, tag_id, event_id) DO NOTHING "
            "RETURNING partner_id, tag_id, event_id");
  EXPECT_EQ(q.name, "thrad_insert_events");
  ASSERT_EQ(q.params.size(), 32u);
  EXPECT_EQ(q.params[0], R"({"p1","p2"})");
  EXPECT_EQ(q.params[4], R"({"e1",NULL})");
  EXPECT_EQ(q.params[21], "{1771524000000000,1771524000000000}");
}

TEST(PgWriteQueriesTest, InsertConversionsTakesTheChosenOnes) {
  WriteOp a = ConversionOp(Conversion("p1", "clk_1", "k"));
  WriteOp b = ConversionOp(Conversion("p2", "clk_2", std::nullopt));
  std::vector<ConvSlot> slots{{&a, &std::get<ConversionWrite>(a.payload)},
                              {&b, &std::get<ConversionWrite>(b.payload)}};
  PgQuery q = InsertConversionsQuery(slots, {1});
  EXPECT_EQ(q.sql,
            "INSERT INTO conversions(partner_id, key_id, click_id, bid_id, campaign_id, "
            "conversion_time, value_micros, currency, event_type, order_id, event_id, tag_id, "
            "session_id, client_id, page_url, referrer, user_agent, dedup_key, dedup_source, "
            "params_json, client_ip, received_at, click_time, geo_country, geo_region, geo_city, "
            "geo_lat, geo_lon, ua_browser, "
            "ua_browser_version, ua_os, ua_device, is_bot) "
            "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], "
            "$6::bigint[], $7::bigint[], $8::text[], $9::text[], $10::text[], $11::text[], "
            "$12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], "
            "$18::text[], $19::text[], $20::text[], $21::text[], $22::bigint[], $23::bigint[], "
            "$24::text[], $25::text[], $26::text[], $27::float8[], $28::float8[], "
            "$29::text[], $30::text[], $31::text[], $32::text[], $33::boolean[]) "
            "ON CONFLICT (partner_id, click_id, event_type, dedup_key) DO NOTHING "
            "RETURNING partner_id, click_id, event_type, dedup_key");
  EXPECT_EQ(q.name, "thrad_insert_conversions");
  ASSERT_EQ(q.params.size(), 33u);
  EXPECT_EQ(q.params[0], R"({"p2"})");
  EXPECT_EQ(q.params[17], "{NULL}");  // dedup_key
  EXPECT_EQ(q.params[18], "{NULL}");  // dedup_source
}

TEST(PgWriteQueriesTest, ClicksAreInsertedAndReadBackByIdentity) {
  ClickRecord a = FullClick("p1", "clk_1");
  ClickRecord b = Click("p2", "clk_2", std::nullopt, std::nullopt);
  std::vector<ClickSlot> slots{{&a, nullptr}, {&b, nullptr}};
  PgQuery insert = InsertClicksQuery(slots);
  EXPECT_EQ(insert.sql,
            "INSERT INTO clicks(partner_id, click_id, bid_id, campaign_id, clicked_at, tag_id, "
            "landing_url, client_ip, user_agent, referrer, exp, source, filter_reason, "
            "geo_country, geo_region, geo_city, geo_lat, geo_lon, ua_browser, "
            "ua_browser_version, ua_os, ua_device, is_bot) "
            "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], "
            "$6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::bigint[], "
            "$12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::float8[], "
            "$18::float8[], "
            "$19::text[], $20::text[], $21::text[], $22::text[], $23::boolean[]) "
            "ON CONFLICT (partner_id, click_id) DO NOTHING RETURNING partner_id, click_id");
  EXPECT_EQ(insert.name, "thrad_insert_clicks");
  ASSERT_EQ(insert.params.size(), 23u);
  EXPECT_EQ(insert.params[1], R"({"clk_1","clk_2"})");
  EXPECT_EQ(insert.params[10], "{1779299000,NULL}");
  EXPECT_EQ(insert.params[11], R"({"redirect","cli"})");
  EXPECT_EQ(insert.params[13], "{NULL,NULL}");  // geo_country

  PgQuery find = FindStoredClicksQuery(slots);
  EXPECT_EQ(find.sql,
            "SELECT k.ord, c.partner_id, c.click_id, c.bid_id, c.campaign_id, c.clicked_at, "
            "c.tag_id, c.landing_url, c.client_ip, c.user_agent, c.referrer, c.exp, c.source, "
            "c.filter_reason, c.geo_country, c.geo_region, c.geo_city, c.geo_lat, c.geo_lon, "
            "c.ua_browser, c.ua_browser_version, c.ua_os, c.ua_device, c.is_bot FROM "
            "unnest($1::text[], $2::text[]) WITH ORDINALITY "
            "AS k(partner_id, click_id, ord) JOIN clicks c "
            "ON c.partner_id = k.partner_id AND c.click_id = k.click_id");
  EXPECT_EQ(find.name, "thrad_find_stored_clicks");
  ASSERT_EQ(find.params.size(), 2u);
  EXPECT_EQ(find.params[0], R"({"p1","p2"})");
}

TEST(PgWriteQueriesTest, CopyTakesTheSameColumns) {
  EXPECT_EQ(CopyEventsSql(),
            "COPY events(partner_id, key_id, event_name, tag_id, event_id, \"timestamp\", "
            "page_url, referrer, user_agent, session_id, client_id, attribution_type, "
            "impression_id, click_id, bid_id, impression_state, view_time_ms, consent_json, "
            "params_json, channel, client_ip, received_at, geo_country, geo_region, geo_city, "
            "geo_lat, geo_lon, ua_browser, "
            "ua_browser_version, ua_os, ua_device, is_bot) FROM STDIN (FORMAT "
            "binary)");
}

}  // namespace
}  // namespace thrad::test
