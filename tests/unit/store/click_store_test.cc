// Conformance (store_conformance.h): ClickStore.
#include <gtest/gtest.h>

#include "store/store_conformance.h"
#include "store/store_test_util.h"
#include "testing/status_matchers.h"

namespace thrad::test {
namespace {

template <typename Backend>
class ClickStoreTest : public Backend {};
TYPED_TEST_SUITE(ClickStoreTest, StoreBackends, StoreBackendNames);

TYPED_TEST(ClickStoreTest, ClicksAreUniquePerPartner) {
  ClickStore& clicks = this->store();
  ASSERT_OK(clicks.InsertClick(Click("p1", "clk_1")));
  EXPECT_EQ(clicks.InsertClick(Click("p1", "clk_1", "other")).code(), StatusCode::kAlreadyExists);
  EXPECT_OK(clicks.InsertClick(Click("p2", "clk_1")));
  EXPECT_OK(clicks.InsertClick(Click("p1", "clk_2", std::nullopt, std::nullopt)));
  EXPECT_EQ(this->Count("clicks"), 3);
}

}  // namespace
}  // namespace thrad::test
