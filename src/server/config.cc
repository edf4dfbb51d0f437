#include "server/config.h"

#include <cctype>
#include <charconv>
#include <algorithm>
#include <cstdlib>

#include <spdlog/spdlog.h>
#include <toml++/toml.h>

namespace server {
namespace {

std::string ScalarToString(const toml::node& node) {
  if (auto s = node.as_string()) return s->get();
  if (auto i = node.as_integer()) return std::to_string(i->get());
  if (auto b = node.as_boolean()) return b->get() ? "true" : "false";
  if (auto f = node.as_floating_point()) return std::to_string(f->get());
  if (auto a = node.as_array()) {
    std::string out;
    for (const auto& el : *a) {
      if (!out.empty()) out += ",";
      out += ScalarToString(el);
    }
    return out;
  }
  return "";  // dates and times: no setting uses them
}

void Flatten(const toml::table& table, const std::string& prefix,
             std::map<std::string, std::string, std::less<>>* out) {
  for (const auto& [k, v] : table) {
    std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (auto sub = v.as_table()) {
      Flatten(*sub, key, out);
    } else if (auto array = v.as_array(); array && !array->empty() && array->is_homogeneous(toml::node_type::table)) {
      // An array of tables ([[functions.mappings]]) flattens to "key.0.name",
      // "key.1.name"... and "key" holds the count.
      (*out)[key] = std::to_string(array->size());
      for (size_t i = 0; i < array->size(); ++i) Flatten(*array->get(i)->as_table(), key + "." + std::to_string(i), out);
    } else {
      (*out)[key] = ScalarToString(v);
    }
  }
}

}  // namespace

Config::EnvLookup Config::ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

std::string Config::EnvName(std::string_view key) {
  std::string name = "RIVULET_";
  for (char c : key) {
    name += (c == '.' || c == '-') ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return name;
}

common::Result<Config> Config::Load(const std::string& file_path, std::map<std::string, std::string> flags,
                                    EnvLookup env) {
  Config config;
  config.env_ = std::move(env);
  for (auto& [k, v] : flags) config.flags_[k] = std::move(v);
  if (!file_path.empty()) {
    // Debian's toml++ is built with exceptions; they stop here.
    try {
      toml::table table = toml::parse_file(file_path);
      Flatten(table, "", &config.file_);
    } catch (const toml::parse_error& err) {
      return common::Status::InvalidArgument(
          "config file " + file_path + " line " + std::to_string(err.source().begin.line) + ": " +
          std::string(err.description()));
    }
  }
  return config;
}

std::optional<std::string> Config::Find(std::string_view key) const {
  if (auto it = flags_.find(key); it != flags_.end()) return it->second;
  if (env_) {
    if (auto v = env_(EnvName(key))) return v;
  }
  if (auto it = file_.find(key); it != file_.end()) return it->second;
  return std::nullopt;
}

std::string Config::Source(std::string_view key) const {
  if (flags_.count(key)) return "flag";
  if (env_ && env_(EnvName(key))) return "env";
  if (file_.count(key)) return "file";
  return "default";
}

std::vector<std::string> Config::KeysUnder(std::string_view prefix) const {
  std::vector<std::string> keys;
  std::string dotted = std::string(prefix) + ".";
  for (const auto* source : {&file_, &flags_}) {
    for (const auto& [key, value] : *source) {
      if (key.compare(0, dotted.size(), dotted) == 0 &&
          std::find(keys.begin(), keys.end(), key) == keys.end()) {
        keys.push_back(key);
      }
    }
  }
  return keys;
}

std::string Config::GetString(std::string_view key, std::string_view default_value) const {
  auto v = Find(key);
  return v ? *v : std::string(default_value);
}

common::Result<int64_t> Config::Int(std::string_view key, int64_t default_value) const {
  auto v = Find(key);
  if (!v) return default_value;
  int64_t out = 0;
  auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || ptr != v->data() + v->size()) {
    return common::Status::InvalidArgument("setting " + std::string(key) + " (from " + Source(key) +
                                           ") is '" + *v + "'; expected an integer");
  }
  return out;
}

common::Result<bool> Config::Bool(std::string_view key, bool default_value) const {
  auto v = Find(key);
  if (!v) return default_value;
  std::string s;
  for (char c : *v) s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (s == "true" || s == "1" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "0" || s == "no" || s == "off" || s.empty()) return false;
  return common::Status::InvalidArgument("setting " + std::string(key) + " (from " + Source(key) + ") is '" +
                                         *v + "'; expected true or false");
}

int64_t Config::GetInt(std::string_view key, int64_t default_value) const {
  auto r = Int(key, default_value);
  if (r.ok()) return *r;
  spdlog::warn("{}; using {}", r.status().message(), default_value);
  return default_value;
}

bool Config::GetBool(std::string_view key, bool default_value) const {
  auto r = Bool(key, default_value);
  if (r.ok()) return *r;
  spdlog::warn("{}; using {}", r.status().message(), default_value);
  return default_value;
}

double Config::GetDouble(std::string_view key, double default_value) const {
  auto v = Find(key);
  if (!v) return default_value;
  char* end = nullptr;
  double d = std::strtod(v->c_str(), &end);
  if (end == v->c_str() || *end != '\0') {
    spdlog::warn("setting {} is '{}'; expected a number; using {}", key, *v, default_value);
    return default_value;
  }
  return d;
}

}  // namespace server
