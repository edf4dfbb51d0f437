// Layered key-value settings. A key is "section.name"; its value comes from,
// in order of precedence: a command-line flag, the environment variable
// RIVULET_SECTION_NAME, the TOML file ([section] name = ...), and finally the
// default given at the call site. Components add settings by reading new keys;
// nothing here needs to change.
//
// Thread safety: immutable after Load(); every getter may run concurrently.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace server {

class Config {
 public:
  // Looks up an environment variable by name; nullopt when unset.
  using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

  // `file_path` may be empty (no file). Nested TOML tables flatten to dotted
  // keys; arrays become comma-separated strings; arrays of tables
  // ([[a.b]]) become "a.b.0.name", "a.b.1.name"... with "a.b" = the count.
  // `flags` maps keys to values.
  // InvalidArgument/IOError when the file cannot be read or parsed.
  static common::Result<Config> Load(const std::string& file_path,
                                     std::map<std::string, std::string> flags,
                                     EnvLookup env = ProcessEnv());
  static EnvLookup ProcessEnv();

  // "stream.durability" -> "RIVULET_STREAM_DURABILITY".
  static std::string EnvName(std::string_view key);

  std::optional<std::string> Find(std::string_view key) const;
  std::string GetString(std::string_view key, std::string_view default_value) const;
  // Unparsable values log a warning and yield the default; use Int() to fail.
  int64_t GetInt(std::string_view key, int64_t default_value) const;
  bool GetBool(std::string_view key, bool default_value) const;
  double GetDouble(std::string_view key, double default_value) const;
  common::Result<int64_t> Int(std::string_view key, int64_t default_value) const;
  common::Result<bool> Bool(std::string_view key, bool default_value) const;

  // The keys under "prefix." set in the file or by flags (environment
  // variables are not listed), to reject misspelt names.
  std::vector<std::string> KeysUnder(std::string_view prefix) const;

  // Where the effective value of `key` comes from: "flag", "env", "file" or "default".
  std::string Source(std::string_view key) const;

 private:
  std::map<std::string, std::string, std::less<>> file_;
  std::map<std::string, std::string, std::less<>> flags_;
  EnvLookup env_;
};

}  // namespace server
