#include "objects/object_store.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "common/sha256.h"
#include "objects/digest.h"
#include "objects/files.h"

namespace objects {
namespace {

namespace fs = std::filesystem;

class ObjectStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("objects_test_" + files::RandomHex(6));
    options_.clock = &clock_;
    options_.min_part_bytes = 10;
    Reopen();
    Status created = store_->CreateBucket("bk1");
    ASSERT_TRUE(created.ok()) << created.ToString();
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(root_);
  }
  void Reopen() {
    store_.reset();
    auto s = FileObjectStore::Open(root_.string(), options_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  Result<ObjectInfo> Put(const std::string& key, std::string_view data, PutOptions o = {}) {
    return store_->PutObject("bk1", key, data, o);
  }
  std::string Get(const std::string& key) {
    auto r = store_->GetObjectBytes("bk1", key);
    return r.ok() ? *r : "<" + r.status().ToString() + ">";
  }
  Result<std::string> GetRange(const std::string& key, ByteRange range) {
    GetOptions o;
    o.range = range;
    ASSIGN_OR_RETURN(GetResult g, store_->GetObject("bk1", key, o));
    return g.reader->Read(1 << 20);
  }
  Status GetWith(const std::string& key, Conditions c) {
    GetOptions o;
    o.conditions = std::move(c);
    return store_->GetObject("bk1", key, o).status();
  }
  // Every regular file under the store's root, for escape checks.
  std::vector<std::string> AllFiles() {
    std::vector<std::string> out;
    for (auto& e : fs::recursive_directory_iterator(root_)) {
      if (e.is_regular_file()) out.push_back(e.path().string());
    }
    return out;
  }

  fs::path root_;
  common::ManualClock clock_;
  StoreOptions options_;
  std::unique_ptr<FileObjectStore> store_;
};

TEST_F(ObjectStoreTest, PutThenGetReturnsBytesAndMd5Etag) {
  auto info = Put("a/b.txt", "hello");
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->etag, "5d41402abc4b2a76b9719d911017c592");
  EXPECT_EQ(info->size, 5u);
  EXPECT_EQ(info->last_modified_millis, clock_.NowMillis());
  EXPECT_EQ(Get("a/b.txt"), "hello");
}

TEST_F(ObjectStoreTest, MetadataAndContentTypeSurviveReopen) {
  PutOptions o;
  o.metadata.content_type = "text/csv";
  o.metadata.user["color"] = "blue";
  o.metadata.system["cache-control"] = "max-age=60";
  ASSERT_TRUE(Put("k", "x", o).ok());
  Reopen();
  auto head = store_->HeadObject("bk1", "k", {});
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->metadata.content_type, "text/csv");
  EXPECT_EQ(head->metadata.user.at("color"), "blue");
  EXPECT_EQ(head->metadata.system.at("cache-control"), "max-age=60");
  EXPECT_EQ(Get("k"), "x");
}

TEST_F(ObjectStoreTest, OverwriteReplacesContentAndOldBytesGoAfterGrace) {
  ASSERT_TRUE(Put("k", "one").ok());
  ASSERT_TRUE(Put("k", "two!").ok());
  EXPECT_EQ(Get("k"), "two!");
  clock_.AdvanceMillis(options_.replaced_file_grace_millis + 1);
  ASSERT_TRUE(Put("other", "z").ok());  // any write reaps retired files
  // One sidecar and one data file per live object, plus the bucket file.
  EXPECT_EQ(AllFiles().size(), 5u);
}

TEST_F(ObjectStoreTest, ReaderKeepsOldBytesWhileKeyIsReplaced) {
  ASSERT_TRUE(Put("k", "old").ok());
  auto got = store_->GetObject("bk1", "k", {});
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(Put("k", "new").ok());
  ASSERT_TRUE(store_->DeleteObject("bk1", "k").ok());
  EXPECT_EQ(*got->reader->Read(100), "old");
  EXPECT_TRUE(fs::exists(got->reader->local_path()));
}

TEST_F(ObjectStoreTest, HostileKeysStayInsideTheBucketFolder) {
  std::vector<std::string> keys = {"../../etc/passwd", "/abs/path", "..", ".", "a/../../b",
                                   std::string("nul\0byte", 8), std::string(1024, 'x'), "\\..\\win"};
  for (const auto& key : keys) {
    ASSERT_TRUE(Put(key, key).ok()) << key;
  }
  for (const auto& key : keys) EXPECT_EQ(Get(key), key);
  std::string bucket_dir = (root_ / "buckets" / "bk1").string();
  for (const auto& f : AllFiles()) EXPECT_TRUE(f.starts_with(bucket_dir)) << f;
  Reopen();
  for (const auto& key : keys) EXPECT_EQ(Get(key), key);
}

TEST_F(ObjectStoreTest, KeyLimitsAreEnforced) {
  EXPECT_TRUE(Put(std::string(1025, 'x'), "").status().IsInvalidArgument());
  EXPECT_TRUE(Put("", "").status().IsInvalidArgument());
  EXPECT_TRUE(Put("bad\xff utf8", "").status().IsInvalidArgument());
}

TEST_F(ObjectStoreTest, MissingKeyAndBucketAreNamedInTheError) {
  EXPECT_TRUE(store_->GetObject("bk1", "nope", {}).status().message().starts_with("NoSuchKey:"));
  EXPECT_TRUE(store_->GetObject("zz-none", "k", {}).status().message().starts_with("NoSuchBucket:"));
}

TEST_F(ObjectStoreTest, RangesFollowHttpRules) {
  ASSERT_TRUE(Put("k", "0123456789").ok());
  EXPECT_EQ(*GetRange("k", {2, 4, {}}), "234");
  EXPECT_EQ(*GetRange("k", {7, {}, {}}), "789");
  EXPECT_EQ(*GetRange("k", {{}, {}, 3}), "789");
  EXPECT_EQ(*GetRange("k", {{}, {}, 50}), "0123456789");
  EXPECT_EQ(*GetRange("k", {8, 100, {}}), "89");
  EXPECT_TRUE(GetRange("k", {10, {}, {}}).status().message().starts_with("InvalidRange:"));
}

TEST_F(ObjectStoreTest, ConditionsAnswerPreconditionFailedOrNotModified) {
  auto info = Put("k", "v");
  ASSERT_TRUE(info.ok());
  std::string quoted = "\"" + info->etag + "\"";
  EXPECT_TRUE(GetWith("k", {quoted, {}, {}, {}}).ok());
  EXPECT_TRUE(GetWith("k", {"\"other\"", {}, {}, {}}).message().starts_with("PreconditionFailed:"));
  EXPECT_TRUE(GetWith("k", {{}, quoted, {}, {}}).message().starts_with("NotModified:"));
  EXPECT_TRUE(GetWith("k", {{}, "\"x\", " + quoted, {}, {}}).message().starts_with("NotModified:"));
  int64_t t = info->last_modified_millis;
  EXPECT_TRUE(GetWith("k", {{}, {}, t, {}}).message().starts_with("NotModified:"));
  EXPECT_TRUE(GetWith("k", {{}, {}, t - 2000, {}}).ok());
  EXPECT_TRUE(GetWith("k", {{}, {}, {}, t - 2000}).message().starts_with("PreconditionFailed:"));
  // If-None-Match wins over If-Modified-Since.
  EXPECT_TRUE(GetWith("k", {{}, "\"x\"", t, {}}).ok());
}

TEST_F(ObjectStoreTest, ConditionalPutRefusesExistingKey) {
  PutOptions o;
  o.if_none_match_any = true;
  ASSERT_TRUE(Put("k", "1", o).ok());
  EXPECT_TRUE(Put("k", "2", o).status().IsConditionFailed());
  EXPECT_EQ(Get("k"), "1");
}

TEST_F(ObjectStoreTest, ContentMd5AndChecksumMismatchesAreRejected) {
  PutOptions o;
  o.content_md5_base64 = Base64Encode(Md5("hello"));
  EXPECT_TRUE(Put("k", "hello", o).ok());
  EXPECT_TRUE(Put("k", "hellO", o).status().message().starts_with("BadDigest:"));
  PutOptions c;
  c.metadata.checksum_algorithm = "CRC32";
  c.metadata.checksum_value = "NhCmhg==";
  EXPECT_TRUE(Put("c", "hello", c).ok());
  EXPECT_TRUE(Put("c", "jello", c).status().message().starts_with("BadDigest:"));
  EXPECT_EQ(Get("k"), "hello");
  EXPECT_EQ(Get("c"), "hello");
}

TEST_F(ObjectStoreTest, WriterDroppedWithoutCommitLeavesNothing) {
  size_t before = AllFiles().size();
  {
    auto w = store_->NewObjectWriter("bk1", "k", {});
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Append("partial").ok());
  }
  EXPECT_EQ(AllFiles().size(), before);
  EXPECT_TRUE(store_->HeadObject("bk1", "k", {}).status().IsNotFound());
}

TEST_F(ObjectStoreTest, WriterStreamsChunks) {
  auto w = store_->NewObjectWriter("bk1", "big", {});
  ASSERT_TRUE(w.ok());
  std::string all;
  for (int i = 0; i < 100; ++i) {
    std::string chunk(1000, static_cast<char>('a' + i % 26));
    all += chunk;
    ASSERT_TRUE((*w)->Append(chunk).ok());
  }
  auto info = (*w)->Commit();
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->etag, HexEncode(Md5(all)));
  EXPECT_EQ(Get("big"), all);
}

TEST_F(ObjectStoreTest, LeftoversOfACrashAreRemovedAtOpen) {
  ASSERT_TRUE(Put("k", "v").ok());
  auto [dir, hash] = std::pair{(root_ / "buckets/bk1/o").string(), std::string()};
  std::string shard = fs::directory_iterator(dir)->path().string();
  ASSERT_TRUE(files::WriteFileAtomic(shard, std::string(64, 'a') + ".deadbeef", "orphan data").ok());
  ASSERT_TRUE(files::WriteFileAtomic(shard, "junk.tmp", "temp sidecar").ok());
  ASSERT_TRUE(files::WriteFileAtomic((root_ / "tmp").string(), "x", "scratch").ok());
  Reopen();
  EXPECT_EQ(AllFiles().size(), 3u);  // bucket file, k's sidecar and data
  EXPECT_EQ(Get("k"), "v");
}

TEST_F(ObjectStoreTest, DamagedSidecarIsSkippedNotFatal) {
  ASSERT_TRUE(Put("good", "1").ok());
  ASSERT_TRUE(Put("bad", "2").ok());
  for (const auto& f : AllFiles()) {
    std::string name = fs::path(f).filename().string();
    if (name == common::Sha256Hex("bad")) fs::resize_file(f, 10);
  }
  Reopen();
  EXPECT_EQ(Get("good"), "1");
  EXPECT_TRUE(store_->HeadObject("bk1", "bad", {}).status().IsNotFound());
}

TEST_F(ObjectStoreTest, BucketLifecycle) {
  EXPECT_TRUE(store_->CreateBucket("bk1").message().starts_with("BucketAlreadyOwnedByYou:"));
  EXPECT_TRUE(store_->CreateBucket("Bad_Name").message().starts_with("InvalidBucketName:"));
  EXPECT_TRUE(store_->CreateBucket("..x").IsInvalidArgument());
  ASSERT_TRUE(store_->CreateBucket("bk2").ok());
  auto list = store_->ListBuckets();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[1].name, "bk2");
  ASSERT_TRUE(Put("k", "v").ok());
  EXPECT_TRUE(store_->DeleteBucket("bk1").message().starts_with("BucketNotEmpty:"));
  ASSERT_TRUE(store_->DeleteObject("bk1", "k").ok());
  ASSERT_TRUE(store_->DeleteBucket("bk1").ok());
  EXPECT_TRUE(store_->HeadBucket("bk1").status().IsNotFound());
  Reopen();
  EXPECT_TRUE(store_->HeadBucket("bk1").status().IsNotFound());
  EXPECT_TRUE(store_->HeadBucket("bk2").ok());
}

TEST_F(ObjectStoreTest, DeleteObjectsReportsEachKeyAndMissingKeysSucceed) {
  ASSERT_TRUE(Put("a", "1").ok());
  auto r = store_->DeleteObjects("bk1", {"a", "missing"});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_TRUE((*r)[0].status.ok());
  EXPECT_TRUE((*r)[1].status.ok());
  EXPECT_TRUE(store_->HeadObject("bk1", "a", {}).status().IsNotFound());
}

TEST_F(ObjectStoreTest, CopyKeepsOrReplacesMetadata) {
  PutOptions o;
  o.metadata.content_type = "text/plain";
  o.metadata.user["a"] = "1";
  ASSERT_TRUE(Put("src", "data", o).ok());
  ASSERT_TRUE(store_->CreateBucket("bk2").ok());
  CopyRequest c{"bk1", "src", "bk2", "dst", {}, std::nullopt};
  auto copied = store_->CopyObject(c);
  ASSERT_TRUE(copied.ok());
  EXPECT_EQ(copied->metadata.user.at("a"), "1");
  EXPECT_EQ(*store_->GetObjectBytes("bk2", "dst"), "data");
  ObjectMetadata m;
  m.content_type = "x/y";
  c.replace_metadata = m;
  c.key = "dst2";
  auto replaced = store_->CopyObject(c);
  ASSERT_TRUE(replaced.ok());
  EXPECT_TRUE(replaced->metadata.user.empty());
  EXPECT_EQ(replaced->metadata.content_type, "x/y");
  c.source_conditions.if_none_match = "*";
  EXPECT_TRUE(store_->CopyObject(c).status().message().starts_with("PreconditionFailed:"));
}

}  // namespace
}  // namespace objects
