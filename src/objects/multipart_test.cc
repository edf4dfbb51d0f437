#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "objects/digest.h"
#include "objects/files.h"
#include "objects/object_store.h"

namespace objects {
namespace {

namespace fs = std::filesystem;

class MultipartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("multipart_test_" + files::RandomHex(6));
    options_.min_part_bytes = 4;
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
    store_ = std::move(FileObjectStore::Open(root_.string(), options_)).value();
  }
  std::string Start(const std::string& key = "k") {
    auto u = store_->CreateMultipartUpload("bk1", key, {});
    EXPECT_TRUE(u.ok());
    return u.ok() ? u->upload_id : "";
  }
  CompletedPart Part(const std::string& id, int n, std::string_view data, const std::string& key = "k") {
    auto p = store_->UploadPart("bk1", key, id, n, data, std::nullopt);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return {n, p.ok() ? "\"" + p->etag + "\"" : ""};
  }
  Result<ObjectInfo> Complete(const std::string& id, std::vector<CompletedPart> parts) {
    return store_->CompleteMultipartUpload("bk1", "k", id, parts);
  }

  fs::path root_;
  StoreOptions options_;
  std::unique_ptr<FileObjectStore> store_;
};

TEST_F(MultipartTest, CompleteJoinsPartsAndUsesMd5OfMd5sEtag) {
  std::string id = Start();
  auto p2 = Part(id, 2, "world");
  auto p1 = Part(id, 1, "hello");
  auto info = Complete(id, {p1, p2});
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->etag, HexEncode(Md5(Md5("hello") + Md5("world"))) + "-2");
  EXPECT_EQ(info->parts_count, 2);
  EXPECT_EQ(*store_->GetObjectBytes("bk1", "k"), "helloworld");
  EXPECT_TRUE(store_->ListMultipartUploads("bk1", "", 1000)->uploads.empty());
  EXPECT_TRUE(store_->AbortMultipartUpload("bk1", "k", id).message().starts_with("NoSuchUpload:"));
}

TEST_F(MultipartTest, ReuploadedPartReplacesTheEarlierOne) {
  std::string id = Start();
  Part(id, 1, "first");
  auto p1 = Part(id, 1, "again");
  ASSERT_TRUE(Complete(id, {p1}).ok());
  EXPECT_EQ(*store_->GetObjectBytes("bk1", "k"), "again");
}

TEST_F(MultipartTest, CompleteChecksOrderEtagsAndSizes) {
  std::string id = Start();
  auto p1 = Part(id, 1, "aaaa");
  auto p2 = Part(id, 2, "bb");
  auto p3 = Part(id, 3, "c");
  EXPECT_TRUE(Complete(id, {p2, p1}).status().message().starts_with("InvalidPartOrder:"));
  EXPECT_TRUE(Complete(id, {p1, {2, "\"0000\""}}).status().message().starts_with("InvalidPart:"));
  EXPECT_TRUE(Complete(id, {p1, {5, p2.etag}}).status().message().starts_with("InvalidPart:"));
  EXPECT_TRUE(Complete(id, {p1, p2, p3}).status().message().starts_with("EntityTooSmall:"));
  EXPECT_TRUE(Complete(id, {}).status().message().starts_with("MalformedXML:"));
  EXPECT_TRUE(store_->UploadPart("bk1", "k", id, 0, "x", std::nullopt).status().IsInvalidArgument());
  EXPECT_TRUE(store_->UploadPart("bk1", "k", id, 10001, "x", std::nullopt).status().IsInvalidArgument());
  // A subset of parts is fine, as in S3.
  ASSERT_TRUE(Complete(id, {p1, p3}).ok());
  EXPECT_EQ(*store_->GetObjectBytes("bk1", "k"), "aaaac");
}

TEST_F(MultipartTest, UploadsAndPartsSurviveReopen) {
  std::string id = Start("x/y");
  Part(id, 1, "data1", "x/y");
  Part(id, 3, "data3", "x/y");
  Reopen();
  auto uploads = store_->ListMultipartUploads("bk1", "x/", 1000);
  ASSERT_TRUE(uploads.ok());
  ASSERT_EQ(uploads->uploads.size(), 1u);
  EXPECT_EQ(uploads->uploads[0].key, "x/y");
  auto parts = store_->ListParts("bk1", "x/y", id, 1000, 0);
  ASSERT_TRUE(parts.ok());
  ASSERT_EQ(parts->parts.size(), 2u);
  EXPECT_EQ(parts->parts[1].part_number, 3);
  EXPECT_EQ(parts->parts[1].etag, HexEncode(Md5("data3")));
  auto page = store_->ListParts("bk1", "x/y", id, 1, 0);
  EXPECT_TRUE(page->is_truncated);
  EXPECT_EQ(page->next_part_number_marker, 1);
  EXPECT_EQ(store_->ListParts("bk1", "x/y", id, 1000, 1)->parts.size(), 1u);
}

TEST_F(MultipartTest, AbortRemovesPartsAndWrongKeyIsNoSuchUpload) {
  std::string id = Start();
  Part(id, 1, "zzzz");
  EXPECT_TRUE(store_->UploadPart("bk1", "other", id, 1, "x", std::nullopt).status().message().starts_with("NoSuchUpload:"));
  ASSERT_TRUE(store_->AbortMultipartUpload("bk1", "k", id).ok());
  EXPECT_FALSE(fs::exists(root_ / "uploads" / id));
  EXPECT_TRUE(store_->HeadObject("bk1", "k", {}).status().IsNotFound());
}

TEST_F(MultipartTest, UploadPartCopyTakesARangeOfAnObject) {
  ASSERT_TRUE(store_->PutObject("bk1", "src", "0123456789", {}).ok());
  std::string id = Start();
  CopyRequest src{"bk1", "src", "bk1", "k", {}, std::nullopt};
  auto p1 = store_->UploadPartCopy("bk1", "k", id, 1, src, ByteRange{0, 4, {}});
  auto p2 = store_->UploadPartCopy("bk1", "k", id, 2, src, std::nullopt);
  ASSERT_TRUE(p1.ok() && p2.ok());
  ASSERT_TRUE(Complete(id, {{1, p1->etag}, {2, p2->etag}}).ok());
  EXPECT_EQ(*store_->GetObjectBytes("bk1", "k"), "012340123456789");
}

TEST_F(MultipartTest, UploadWithoutSidecarIsDroppedAtOpen) {
  fs::create_directories(root_ / "uploads" / "halfmade");
  Reopen();
  EXPECT_FALSE(fs::exists(root_ / "uploads" / "halfmade"));
}

TEST_F(MultipartTest, WhatACrashedUploadPartLeftIsSweptAtOpen) {
  std::string id = Start();
  CompletedPart kept = Part(id, 1, "data1");
  fs::path dir = root_ / "uploads" / id;
  // A sidecar's temp file and a data file whose sidecar was never written.
  for (const char* leftover : {"part-00002.0123456789abcdef.tmp", "part-00003.0123456789abcdef"}) {
    std::ofstream(dir / leftover) << "partial";
  }
  Reopen();
  EXPECT_FALSE(fs::exists(dir / "part-00002.0123456789abcdef.tmp"));
  EXPECT_FALSE(fs::exists(dir / "part-00003.0123456789abcdef"));
  auto parts = store_->ListParts("bk1", "k", id, 1000, 0);
  ASSERT_TRUE(parts.ok());
  ASSERT_EQ(parts->parts.size(), 1u);
  ASSERT_TRUE(Complete(id, {kept}).ok());
  EXPECT_EQ(*store_->GetObjectBytes("bk1", "k"), "data1");
}

}  // namespace
}  // namespace objects
