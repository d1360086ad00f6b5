#pragma once

#include <boost/json/object.hpp>
#include <span>
#include <string_view>

#include "api/request_context.h"

namespace thrad {

// The value the server stamps into params.integration: for a partner's server, and for a
// browser tag (TAG.md).
inline constexpr std::string_view kIntegrationName = "partner_s2s";
inline constexpr std::string_view kTagIntegrationName = "tag";

// The members of `body` whose keys are not in `known`, in document order (what
// SanitizeExtra turns into params.extra).
boost::json::object UnknownMembers(const boost::json::object& body,
                                   std::span<const std::string_view> known);

// Sets params.integration = "partner_s2s", params.partner_id and params.api_key_label from the
// authenticated key, replacing any client values of those names. For a tag request
// (ctx.source kTag): params.integration = "tag" and params.partner_id (the tag's partner); a
// client api_key_label is removed (there is no key).
void StampParams(boost::json::object& params, const RequestContext& ctx);

}  // namespace thrad
