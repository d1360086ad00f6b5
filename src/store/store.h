#pragma once

#include "common/status.h"
#include "store/click_store.h"
#include "store/erasure_store.h"
#include "store/export_store.h"
#include "store/key_store.h"
#include "store/maintenance_store.h"
#include "store/report_store.h"
#include "store/signing_key_store.h"
#include "store/tag_store.h"
#include "store/write_store.h"

namespace thrad {

// A storage backend (SQLite, PostgreSQL): every role below plus its schema. Handlers never see
// SQL. What a process opens (OpenStore, store_factory.h); each component then depends only on
// the role it uses: GroupCommitWriter on WriteStore, KeyCache on KeyStore, each CLI command on
// its own. A new role is one more small interface beside these, inherited here and implemented
// by each backend.
//
// Thread-safety: as each role says.
class Store : public WriteStore,
              public KeyStore,
              public ClickStore,
              public ExportStore,
              public MaintenanceStore,
              public SigningKeyStore,
              public TagStore,
              public ErasureStore,
              public ReportStore {
 public:
  // Creates or upgrades the schema to the newest migration.
  virtual Status Migrate() = 0;
};

}  // namespace thrad
