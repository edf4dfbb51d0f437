#include "server/config.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

namespace server {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("rivulet_config_test_" + std::to_string(::getpid()) + ".toml");
  }
  void TearDown() override { std::filesystem::remove(path_); }
  void WriteFile(const std::string& text) { std::ofstream(path_) << text; }
  Config Load(std::map<std::string, std::string> flags = {}) {
    auto result = Config::Load(path_.string(), std::move(flags), [this](const std::string& name) {
      auto it = env_.find(name);
      return it == env_.end() ? std::nullopt : std::optional<std::string>(it->second);
    });
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return std::move(result).value();
  }
  std::filesystem::path path_;
  std::map<std::string, std::string> env_;
};

TEST_F(ConfigTest, FileValuesAreReadByDottedKey) {
  WriteFile("[stream]\ndurability = \"none\"\nshards = 4\n[gateway]\ndebug = true\n");
  Config c = Load();
  EXPECT_EQ(c.GetString("stream.durability", "fsync"), "none");
  EXPECT_EQ(c.GetInt("stream.shards", 1), 4);
  EXPECT_TRUE(c.GetBool("gateway.debug", false));
  EXPECT_EQ(c.Source("stream.shards"), "file");
}

TEST_F(ConfigTest, DefaultsApplyWithoutAnySource) {
  WriteFile("");
  Config c = Load();
  EXPECT_EQ(c.GetString("stream.durability", "fsync"), "fsync");
  EXPECT_EQ(c.Source("stream.durability"), "default");
}

TEST_F(ConfigTest, EnvironmentBeatsFileAndFlagBeatsEnvironment) {
  WriteFile("[stream]\ndurability = \"file\"\n");
  env_["RIVULET_STREAM_DURABILITY"] = "env";
  EXPECT_EQ(Load().GetString("stream.durability", "d"), "env");
  EXPECT_EQ(Load({{"stream.durability", "flag"}}).GetString("stream.durability", "d"), "flag");
}

TEST_F(ConfigTest, NestedTablesFlatten) {
  WriteFile("[a.b]\nc = 1\n");
  EXPECT_EQ(Load().GetInt("a.b.c", 0), 1);
}

TEST_F(ConfigTest, ArraysOfTablesFlattenToNumberedKeys) {
  WriteFile("[[functions.mappings]]\nfunction = \"a\"\nbatch_size = 5\n[[functions.mappings]]\nfunction = \"b\"\n");
  Config c = Load({{"functions.mappings.1.batch_size", "7"}});
  EXPECT_EQ(c.GetInt("functions.mappings", 0), 2);
  EXPECT_EQ(c.GetString("functions.mappings.0.function", ""), "a");
  EXPECT_EQ(c.GetInt("functions.mappings.0.batch_size", 0), 5);
  EXPECT_EQ(c.GetString("functions.mappings.1.function", ""), "b");
  EXPECT_EQ(c.GetInt("functions.mappings.1.batch_size", 0), 7);
  auto keys = c.KeysUnder("functions.mappings.1");
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{"functions.mappings.1.batch_size", "functions.mappings.1.function"}));
}

TEST_F(ConfigTest, EnvNameUppercasesAndReplacesDots) {
  EXPECT_EQ(Config::EnvName("gateway.static_dir"), "RIVULET_GATEWAY_STATIC_DIR");
}

TEST_F(ConfigTest, BadIntegerIsAnErrorOrTheDefault) {
  WriteFile("[x]\nn = \"many\"\n");
  Config c = Load();
  EXPECT_TRUE(c.Int("x.n", 5).status().IsInvalidArgument());
  EXPECT_EQ(c.GetInt("x.n", 5), 5);
}

TEST_F(ConfigTest, BooleanSpellings) {
  env_["RIVULET_A_B"] = "yes";
  env_["RIVULET_A_C"] = "off";
  env_["RIVULET_A_D"] = "maybe";
  WriteFile("");
  Config c = Load();
  EXPECT_TRUE(c.GetBool("a.b", false));
  EXPECT_FALSE(c.GetBool("a.c", true));
  EXPECT_TRUE(c.Bool("a.d", false).status().IsInvalidArgument());
}

TEST_F(ConfigTest, MalformedFileIsInvalidArgument) {
  WriteFile("[unclosed\n");
  auto result = Config::Load(path_.string(), {});
  EXPECT_TRUE(result.status().IsInvalidArgument());
}

}  // namespace
}  // namespace server
