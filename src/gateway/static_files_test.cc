#include "gateway/static_files.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>

namespace gateway {
namespace {

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() / ("rivulet_static_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(root_ / "assets");
    Write("index.html", "<html>home</html>");
    Write("app.js", std::string(4000, 'a'));
    Write("assets/logo.png", "\x89PNG");
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  void Write(const std::string& rel, const std::string& content) { std::ofstream(root_ / rel) << content; }
  std::optional<Response> Get(const std::string& path, std::vector<std::pair<std::string, std::string>> headers = {}) {
    Request req;
    req.method = "GET";
    req.path = path;
    for (auto& [k, v] : headers) req.headers.Add(k, v);
    StaticFiles files(root_.string());
    return files.Serve(req);
  }
  static std::string Body(const Response& r) { return r.shared_body ? *r.shared_body : r.body; }

  std::filesystem::path root_;
};

TEST_F(StaticFilesTest, ContentTypesFollowExtensions) {
  EXPECT_EQ(StaticFiles::ContentType("/a/index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(StaticFiles::ContentType("/app.JS"), "text/javascript; charset=utf-8");
  EXPECT_EQ(StaticFiles::ContentType("/x.svg"), "image/svg+xml");
  EXPECT_EQ(StaticFiles::ContentType("/x.woff2"), "font/woff2");
  EXPECT_EQ(StaticFiles::ContentType("/dir.d/noext"), "application/octet-stream");
}

TEST_F(StaticFilesTest, ServesFileWithStrongEtag) {
  auto r = Get("/app.js");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(Body(*r), std::string(4000, 'a'));
  std::string etag(r->headers.Get("ETag"));
  EXPECT_EQ(etag.front(), '"');
  EXPECT_EQ(etag.back(), '"');
}

TEST_F(StaticFilesTest, MatchingIfNoneMatchGives304) {
  auto first = Get("/app.js");
  std::string etag(first->headers.Get("ETag"));
  auto second = Get("/app.js", {{"If-None-Match", "\"other\", " + etag}});
  EXPECT_EQ(second->status, 304);
  EXPECT_TRUE(Body(*second).empty());
  EXPECT_EQ(Get("/app.js", {{"If-None-Match", "\"other\""}})->status, 200);
}

TEST_F(StaticFilesTest, EtagChangesWhenFileChanges) {
  std::string before(Get("/app.js")->headers.Get("ETag"));
  Write("app.js", std::string(4001, 'b'));
  std::string after(Get("/app.js")->headers.Get("ETag"));
  EXPECT_NE(before, after);
}

TEST_F(StaticFilesTest, GzipOnlyWhenAcceptedAndDecompressesToOriginal) {
  auto plain = Get("/app.js");
  EXPECT_FALSE(plain->headers.Has("Content-Encoding"));
  auto gz = Get("/app.js", {{"Accept-Encoding", "br, gzip"}});
  EXPECT_EQ(gz->headers.Get("Content-Encoding"), "gzip");
  std::string compressed = Body(*gz);
  EXPECT_LT(compressed.size(), 4000u);
  std::string out(5000, '\0');
  z_stream zs{};
  ASSERT_EQ(inflateInit2(&zs, 15 + 16), Z_OK);
  zs.next_in = reinterpret_cast<Bytef*>(compressed.data());
  zs.avail_in = static_cast<uInt>(compressed.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  ASSERT_EQ(inflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  inflateEnd(&zs);
  EXPECT_EQ(out, std::string(4000, 'a'));
  EXPECT_NE(gz->headers.Get("ETag"), plain->headers.Get("ETag"));
  EXPECT_FALSE(Get("/app.js", {{"Accept-Encoding", "gzip;q=0"}})->headers.Has("Content-Encoding"));
}

TEST_F(StaticFilesTest, BinaryTypesAreNotCompressed) {
  auto r = Get("/assets/logo.png", {{"Accept-Encoding", "gzip"}});
  EXPECT_FALSE(r->headers.Has("Content-Encoding"));
  EXPECT_NE(r->headers.Get("Cache-Control").find("immutable"), std::string_view::npos);
}

TEST_F(StaticFilesTest, RootAndDirectoriesServeIndex) {
  EXPECT_EQ(Body(*Get("/")), "<html>home</html>");
  Write("assets/index.html", "assets home");
  EXPECT_EQ(Body(*Get("/assets/")), "assets home");
}

TEST_F(StaticFilesTest, TraversalAndMissingFilesAreRefused) {
  EXPECT_FALSE(Get("/../etc/passwd").has_value());
  EXPECT_FALSE(Get("/assets/../../x").has_value());
  EXPECT_FALSE(Get("/nope.js").has_value());
}

TEST_F(StaticFilesTest, MissingRootIsDisabled) {
  StaticFiles files((root_ / "nope").string());
  EXPECT_FALSE(files.enabled());
}

}  // namespace
}  // namespace gateway
