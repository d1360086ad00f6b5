#include "api/params.h"

#include <algorithm>

namespace thrad {

boost::json::object UnknownMembers(const boost::json::object& body,
                                   std::span<const std::string_view> known) {
  boost::json::object out;
  for (const auto& member : body) {
    const std::string_view key = member.key();
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      out.emplace(key, member.value());
    }
  }
  return out;
}

void StampParams(boost::json::object& params, const RequestContext& ctx) {
  if (ctx.source == RequestContext::Source::kTag) {
    params["integration"] = kTagIntegrationName;
    params["partner_id"] = ctx.partner_id;
    params.erase("api_key_label");
    return;
  }
  params["integration"] = kIntegrationName;
  params["partner_id"] = ctx.partner_id;
  params["api_key_label"] = ctx.key_label;
}

}  // namespace thrad
