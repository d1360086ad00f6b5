#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace thrad {

// Which stored column picks the person's rows (`erase --client-id | --session-id | --ip`).
enum class ErasureSelector { kClientId, kSessionId, kIp };

// "client_id", "session_id" or "ip": the selector's name in output and logs.
std::string_view ErasureSelectorName(ErasureSelector selector);

// The column a selector matches in events and conversions (and, for an IP, clicks):
// client_id, session_id or client_ip.
std::string_view ErasureSelectedColumn(ErasureSelector selector);

// One erasure: the rows of one partner selected by one value.
struct ErasureRequest {
  std::string partner_id;
  ErasureSelector selector = ErasureSelector::kClientId;
  // The client_id or session_id as sent, or an IP address in any spelling ("::ffff:1.2.3.4").
  std::string value;
  bool dry_run = false;  // count what would be erased, erase nothing
  // Rows deleted per short transaction at most (and, on PostgreSQL, rows of the partner read per
  // step). Must be positive.
  size_t batch_size = 1000;
  // Pause after each delete transaction, so the servers' writers get the lock between them.
  std::chrono::milliseconds pause{5};
};

// Rows erased (or, for a dry run, that would be) per table.
struct ErasureCounts {
  uint64_t events = 0;
  uint64_t conversions = 0;
  uint64_t clicks = 0;

  bool operator==(const ErasureCounts&) const = default;
};

// The values the selected column must equal (any of them) for a row to be erased: the value
// itself for a client_id or session_id; for an IP address its canonical spelling and its
// anonymized one (`serve --ip-anonymize` stores that instead), once when they are the same.
// InvalidArgument for an empty partner or value, an IP that is not an address, or a zero batch.
Result<std::vector<std::string>> ErasureMatchValues(const ErasureRequest& request);

// The erasure role (`erase`, issue 17): deletes one person's rows of one partner while servers
// keep writing. Events and conversions are selected by client_id, session_id or client_ip; with
// an IP also the clicks whose client_ip matches (clicks have no client or session id).
//
// Thread-safety: may be called from any thread at any time, while serving. It never holds a
// lock for long: it walks the tables in key order in small steps and deletes what it found in
// transactions of at most batch_size rows each (see each backend for the walk).
class ErasureStore {
 public:
  virtual ~ErasureStore() = default;

  // Erases (or, for a dry run, counts) the rows `request` selects and returns how many per
  // table. Rows stored while it runs may or may not be erased. On failure nothing more is
  // deleted; what was deleted before stays deleted (the message says how much).
  virtual Result<ErasureCounts> Erase(const ErasureRequest& request) = 0;
};

}  // namespace thrad
