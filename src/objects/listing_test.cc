#include "objects/listing.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace objects {
namespace {

class ListingTest : public ::testing::Test {
 protected:
  void Add(std::initializer_list<std::string> keys) {
    for (const auto& k : keys) index_[k].info.key = k;
  }
  ListObjectsResult List(std::string prefix, std::string delimiter, int max_keys = 1000,
                         std::string token = "", std::string start_after = "") {
    ListObjectsRequest r{"b", std::move(prefix), std::move(delimiter), max_keys, std::move(token),
                         std::move(start_after)};
    auto out = ListIndex(index_, r);
    EXPECT_TRUE(out.ok());
    return out.ok() ? *out : ListObjectsResult{};
  }
  static std::vector<std::string> Keys(const ListObjectsResult& r) {
    std::vector<std::string> out;
    for (const auto& o : r.objects) out.push_back(o.key);
    return out;
  }
  // Pages through everything with `page` items per call; keys and prefixes in order.
  std::vector<std::string> Walk(const std::string& prefix, const std::string& delimiter, int page) {
    std::vector<std::string> all;
    std::string token;
    for (int guard = 0; guard < 10000; ++guard) {
      auto r = List(prefix, delimiter, page, token);
      EXPECT_LE(static_cast<int>(r.objects.size() + r.common_prefixes.size()), page);
      // Within a page, keys and common prefixes interleave in byte order.
      std::vector<std::string> items = Keys(r);
      items.insert(items.end(), r.common_prefixes.begin(), r.common_prefixes.end());
      std::sort(items.begin(), items.end());
      all.insert(all.end(), items.begin(), items.end());
      if (!r.is_truncated) break;
      token = r.next_continuation_token;
    }
    return all;
  }

  std::map<std::string, StoredObject> index_;
};

TEST_F(ListingTest, KeysComeInByteOrderIncludingUnicode) {
  Add({"b", "a", "\xc3\xa9", "A", "a/b", "a-b", "~"});
  EXPECT_EQ(Keys(List("", "")), (std::vector<std::string>{"A", "a", "a-b", "a/b", "b", "~", "\xc3\xa9"}));
}

TEST_F(ListingTest, DelimiterRollsKeysUpIntoCommonPrefixes) {
  Add({"photos/2024/a.jpg", "photos/2024/b.jpg", "photos/2025/c.jpg", "photos/top.jpg", "readme"});
  auto root = List("", "/");
  EXPECT_EQ(Keys(root), std::vector<std::string>{"readme"});
  EXPECT_EQ(root.common_prefixes, std::vector<std::string>{"photos/"});
  auto photos = List("photos/", "/");
  EXPECT_EQ(Keys(photos), std::vector<std::string>{"photos/top.jpg"});
  EXPECT_EQ(photos.common_prefixes, (std::vector<std::string>{"photos/2024/", "photos/2025/"}));
}

TEST_F(ListingTest, PaginationVisitsEveryItemOnceForAnyPageSize) {
  for (int i = 0; i < 30; ++i) {
    std::string d = std::to_string(i % 4);
    index_["dir" + d + "/f" + std::to_string(i)].info.key = "dir" + d + "/f" + std::to_string(i);
    index_["top" + std::to_string(i)].info.key = "top" + std::to_string(i);
  }
  auto full = Walk("", "/", 1000);
  EXPECT_EQ(full.size(), 34u);  // 4 prefixes + 30 top keys
  for (int page : {1, 2, 3, 7}) EXPECT_EQ(Walk("", "/", page), full) << page;
  EXPECT_EQ(Walk("", "", 7).size(), 60u);
}

TEST_F(ListingTest, StartAfterAndPrefixCombine) {
  Add({"a1", "a2", "a3", "b1"});
  EXPECT_EQ(Keys(List("a", "", 1000, "", "a1")), (std::vector<std::string>{"a2", "a3"}));
  EXPECT_EQ(Keys(List("", "", 1000, "", "a3")), (std::vector<std::string>{"b1"}));
  EXPECT_TRUE(Keys(List("a", "", 1000, "", "zzz")).empty());
}

TEST_F(ListingTest, MaxKeysZeroReturnsNothing) {
  Add({"a"});
  auto r = List("", "", 0);
  EXPECT_TRUE(r.objects.empty());
  EXPECT_FALSE(r.is_truncated);
}

TEST_F(ListingTest, ForeignContinuationTokenIsInvalidArgument) {
  ListObjectsRequest r;
  r.continuation_token = "not-ours!";
  EXPECT_TRUE(ListIndex(index_, r).status().IsInvalidArgument());
}

TEST(PrefixSuccessorTest, IncrementsLastByteAndDropsTrailingFf) {
  EXPECT_EQ(PrefixSuccessor("a/"), "a0");
  EXPECT_EQ(PrefixSuccessor("a\xff"), "b");
  EXPECT_EQ(PrefixSuccessor("\xff\xff"), "");
}

}  // namespace
}  // namespace objects
