#include "enrich/enricher.h"

#include "common/ip_address.h"

namespace thrad {

Enrichment Enricher::Enrich(std::string_view client_ip,
                            std::optional<std::string_view> user_agent) const {
  Enrichment e;
  if (geo_ != nullptr) geo_->Lookup(client_ip, e);
  if (ua_ != nullptr && user_agent) ua_->Classify(*user_agent, e);
  return e;
}

std::string Enricher::StoredIp(std::string_view client_ip) const {
  if (anonymize_ip_) {
    if (std::optional<std::string> a = AnonymizeIp(client_ip)) return std::move(*a);
  }
  return std::string(client_ip);
}

bool Enricher::IsBot(std::string_view user_agent) const {
  if (ua_ == nullptr) return false;
  Enrichment e;
  ua_->Classify(user_agent, e);
  return e.is_bot.value_or(false);
}

}  // namespace thrad
