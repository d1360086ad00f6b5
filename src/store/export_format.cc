#include "store/export_format.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <span>

#include "common/decimal.h"
#include "common/json_numbers.h"
#include "common/time_format.h"

namespace thrad::export_format {
namespace {

// How a column becomes JSON.
enum class Encoding {
  kInt64,       // a number (never NULL)
  kOptInt64,    // a number or null
  kOptText,     // a string or null
  kStoredJson,  // a stored JSON document (StoredJson)
  kTime,        // microseconds since the epoch as an RFC 3339 string
  kOptTime,     // the same, or null
  kMicros,      // an amount in micros: the exact decimal under `key`, the integer under `key2`
  kOptDouble,   // a number (shortest round-trip form, SerializeJson: 37.77) or null
  kOptBool,     // true, false or null
};

struct Field {
  std::string_view key;     // the JSON key
  std::string_view column;  // the SELECT expression (quoted where a dialect needs it)
  Encoding encoding;
  std::string_view key2 = {};  // kMicros only
};

// The enrichment fields (model/enrichment.h, record_columns.h) that end every export row, after
// the record's own fields: each list below is followed by these.
constexpr Field kEnrichmentFields[] = {
    {"geo_country", "geo_country", Encoding::kOptText},
    {"geo_region", "geo_region", Encoding::kOptText},
    {"geo_city", "geo_city", Encoding::kOptText},
    {"geo_lat", "geo_lat", Encoding::kOptDouble},
    {"geo_lon", "geo_lon", Encoding::kOptDouble},
    {"ua_browser", "ua_browser", Encoding::kOptText},
    {"ua_browser_version", "ua_browser_version", Encoding::kOptText},
    {"ua_os", "ua_os", Encoding::kOptText},
    {"ua_device", "ua_device", Encoding::kOptText},
    {"is_bot", "is_bot", Encoding::kOptBool},
};

// The export field lists: JSON key order, column order and encoding, for both stores.
constexpr Field kEventFields[] = {
    {"id", "id", Encoding::kInt64},
    {"partner_id", "partner_id", Encoding::kOptText},
    {"key_id", "key_id", Encoding::kOptText},
    {"event_name", "event_name", Encoding::kOptText},
    {"tag_id", "tag_id", Encoding::kOptText},
    {"event_id", "event_id", Encoding::kOptText},
    {"timestamp", "\"timestamp\"", Encoding::kOptInt64},
    {"page_url", "page_url", Encoding::kOptText},
    {"referrer", "referrer", Encoding::kOptText},
    {"user_agent", "user_agent", Encoding::kOptText},
    {"session_id", "session_id", Encoding::kOptText},
    {"client_id", "client_id", Encoding::kOptText},
    {"attribution_type", "attribution_type", Encoding::kOptText},
    {"impression_id", "impression_id", Encoding::kOptText},
    {"click_id", "click_id", Encoding::kOptText},
    {"bid_id", "bid_id", Encoding::kOptText},
    {"impression_state", "impression_state", Encoding::kOptText},
    {"view_time_ms", "view_time_ms", Encoding::kOptInt64},
    {"consent", "consent_json", Encoding::kStoredJson},
    {"params", "params_json", Encoding::kStoredJson},
    {"channel", "channel", Encoding::kOptText},
    {"client_ip", "client_ip", Encoding::kOptText},
    {"received_at", "received_at", Encoding::kTime},
};

constexpr Field kConversionFields[] = {
    {"id", "id", Encoding::kInt64},
    {"partner_id", "partner_id", Encoding::kOptText},
    {"key_id", "key_id", Encoding::kOptText},
    {"click_id", "click_id", Encoding::kOptText},
    {"bid_id", "bid_id", Encoding::kOptText},
    {"campaign_id", "campaign_id", Encoding::kOptText},
    {"click_time", "click_time", Encoding::kOptTime},
    {"conversion_time", "conversion_time", Encoding::kTime},
    {"conversion_value", "value_micros", Encoding::kMicros, "conversion_value_micros"},
    {"currency", "currency", Encoding::kOptText},
    {"event_type", "event_type", Encoding::kOptText},
    {"order_id", "order_id", Encoding::kOptText},
    {"event_id", "event_id", Encoding::kOptText},
    {"tag_id", "tag_id", Encoding::kOptText},
    {"session_id", "session_id", Encoding::kOptText},
    {"client_id", "client_id", Encoding::kOptText},
    {"page_url", "page_url", Encoding::kOptText},
    {"referrer", "referrer", Encoding::kOptText},
    {"user_agent", "user_agent", Encoding::kOptText},
    {"dedup_key", "dedup_key", Encoding::kOptText},
    {"dedup_source", "dedup_source", Encoding::kOptText},
    {"params", "params_json", Encoding::kStoredJson},
    {"client_ip", "client_ip", Encoding::kOptText},
    {"received_at", "received_at", Encoding::kTime},
};

constexpr Field kClickFields[] = {
    {"partner_id", "partner_id", Encoding::kOptText},
    {"click_id", "click_id", Encoding::kOptText},
    {"bid_id", "bid_id", Encoding::kOptText},
    {"campaign_id", "campaign_id", Encoding::kOptText},
    {"tag_id", "tag_id", Encoding::kOptText},
    {"landing_url", "landing_url", Encoding::kOptText},
    {"clicked_at", "clicked_at", Encoding::kTime},
    {"exp", "exp", Encoding::kOptInt64},
    {"source", "source", Encoding::kOptText},
    {"filter_reason", "filter_reason", Encoding::kOptText},
    {"client_ip", "client_ip", Encoding::kOptText},
    {"user_agent", "user_agent", Encoding::kOptText},
    {"referrer", "referrer", Encoding::kOptText},
};

// The SELECT list of `fields` followed by kEnrichmentFields.
std::string Columns(std::span<const Field> fields) {
  std::string out;
  for (std::span<const Field> list : {fields, std::span<const Field>(kEnrichmentFields)}) {
    for (const Field& f : list) {
      if (!out.empty()) out += ", ";
      out += f.column;
    }
  }
  return out;
}

boost::json::value OrNull(std::optional<int64_t> v) {
  if (!v.has_value()) return nullptr;
  return *v;
}

boost::json::value OrNull(const std::optional<std::string>& v) {
  if (!v.has_value()) return nullptr;
  return boost::json::string(*v);
}

// Adds the fields of `fields`, read from the row's columns `first` on, to `w`.
void AddFields(JsonObjectWriter& w, std::span<const Field> fields, const ExportRow& row,
               int first) {
  int column = first;
  for (const Field& f : fields) {
    switch (f.encoding) {
      case Encoding::kInt64:
        w.Add(f.key, row.Int64(column));
        break;
      case Encoding::kOptInt64:
        w.Add(f.key, OrNull(row.OptInt64(column)));
        break;
      case Encoding::kOptText:
        w.Add(f.key, OrNull(row.OptText(column)));
        break;
      case Encoding::kStoredJson:
        w.Add(f.key, StoredJson(row.OptText(column)));
        break;
      case Encoding::kTime:
        w.Add(f.key, boost::json::string(FormatRfc3339(row.Int64(column))));
        break;
      case Encoding::kOptTime: {
        const std::optional<int64_t> t = row.OptInt64(column);
        w.Add(f.key, t ? boost::json::value(boost::json::string(FormatRfc3339(*t)))
                       : boost::json::value(nullptr));
        break;
      }
      case Encoding::kOptDouble: {
        const std::optional<double> d = row.OptDouble(column);
        w.Add(f.key, d ? boost::json::value(*d) : boost::json::value(nullptr));
        break;
      }
      case Encoding::kOptBool: {
        const std::optional<bool> b = row.OptBool(column);
        w.Add(f.key, b ? boost::json::value(*b) : boost::json::value(nullptr));
        break;
      }
      case Encoding::kMicros: {
        const int64_t micros = row.Int64(column);
        w.AddRaw(f.key, FormatMicros(micros));
        w.Add(f.key2, micros);
        break;
      }
    }
    ++column;
  }
}

// One row of `fields` followed by kEnrichmentFields (the columns of Columns(fields)).
std::string RowJson(std::span<const Field> fields, const ExportRow& row) {
  JsonObjectWriter w;
  AddFields(w, fields, row, 0);
  AddFields(w, kEnrichmentFields, row, static_cast<int>(fields.size()));
  return std::move(w).Finish();
}

}  // namespace

const std::string& EventColumns() {
  static const std::string columns = Columns(kEventFields);
  return columns;
}

const std::string& ConversionColumns() {
  static const std::string columns = Columns(kConversionFields);
  return columns;
}

const std::string& ClickColumns() {
  static const std::string columns = Columns(kClickFields);
  return columns;
}

std::string EventJson(const ExportRow& row) { return RowJson(kEventFields, row); }

std::string ConversionJson(const ExportRow& row) { return RowJson(kConversionFields, row); }

std::string ClickJson(const ExportRow& row) { return RowJson(kClickFields, row); }

void JsonObjectWriter::Key(std::string_view key) {
  if (out_.size() > 1) out_ += ',';
  out_ += boost::json::serialize(boost::json::string_view(key.data(), key.size()));
  out_ += ':';
}

void JsonObjectWriter::Add(std::string_view key, const boost::json::value& value) {
  Key(key);
  out_ += SerializeJson(value);
}

void JsonObjectWriter::AddRaw(std::string_view key, std::string_view json_text) {
  Key(key);
  out_ += json_text;
}

std::string JsonObjectWriter::Finish() && {
  out_ += '}';
  return std::move(out_);
}

boost::json::value StoredJson(const std::optional<std::string>& text) {
  if (!text.has_value()) return nullptr;
  // Stored JSON may nest as deep as a request body may (64 levels, api/json_body.h); the
  // parser's default limit of 32 would turn deeper objects into strings.
  boost::json::parse_options options;
  options.max_depth = 256;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(*text, ec, {}, options);
  if (ec) return boost::json::string(*text);
  return v;
}

}  // namespace thrad::export_format
