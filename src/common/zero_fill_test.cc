#include "common/zero_fill.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

namespace common {
namespace {

TEST(ZeroFillTest, WritesZerosAfterTheDataAndKeepsTheData) {
  std::string path = (std::filesystem::temp_directory_path() / ("zero_fill_" + std::to_string(::getpid()))).string();
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::pwrite(fd, "data", 4, 0), 4);
  ASSERT_TRUE(ZeroFill(fd, 4, 200'000));  // more than one pass over its zero buffer
  struct stat st {};
  ASSERT_EQ(::fstat(fd, &st), 0);
  EXPECT_EQ(st.st_size, 200'000);
  std::string content(200'000, 'x');
  ASSERT_EQ(::pread(fd, content.data(), content.size(), 0), 200'000);
  EXPECT_EQ(content.substr(0, 4), "data");
  EXPECT_EQ(content.find_first_not_of('\0', 4), std::string::npos);
  ::close(fd);
  EXPECT_FALSE(ZeroFill(fd, 0, 10));  // a closed descriptor is an error, not a crash
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace common
