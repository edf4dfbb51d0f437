#include "server/services.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace server {
namespace {

TEST(ServiceRegistryTest, ReadyOnlyWhenEveryComponentIs) {
  ServiceRegistry registry("/tmp/unused");
  EXPECT_TRUE(registry.Ready(nullptr));
  registry.SetReady("stream", false);
  registry.SetReady("table", true);
  std::vector<std::string> not_ready;
  EXPECT_FALSE(registry.Ready(&not_ready));
  EXPECT_EQ(not_ready, std::vector<std::string>{"stream"});
  EXPECT_FALSE(registry.Ready(nullptr));
  registry.SetReady("stream", true);
  EXPECT_TRUE(registry.Ready(nullptr));
}

// Records its destruction so the test can check the order.
struct Tracked {
  Tracked(std::string name, std::vector<std::string>* log) : name(std::move(name)), log(log) {}
  ~Tracked() { log->push_back("destroy " + name); }
  std::string name;
  std::vector<std::string>* log;
};

TEST(ServiceRegistryTest, HooksRunBeforeOwnedObjectsDieInReverseOrder) {
  std::vector<std::string> log;
  {
    ServiceRegistry registry("/tmp/unused");
    registry.Own(std::make_unique<Tracked>("engine", &log));
    registry.Own(std::make_unique<Tracked>("adapter", &log));
    registry.OnShutdown([&] { log.push_back("hook 1"); });
    registry.OnShutdown([&] { log.push_back("hook 2"); });
  }
  EXPECT_EQ(log, (std::vector<std::string>{"hook 2", "hook 1", "destroy adapter", "destroy engine"}));
}

TEST(ServiceRegistryTest, HooksRunOnce) {
  int runs = 0;
  ServiceRegistry registry("/tmp/unused");
  registry.OnShutdown([&] { ++runs; });
  registry.RunShutdownHooks();
  registry.RunShutdownHooks();
  EXPECT_EQ(runs, 1);
}

}  // namespace
}  // namespace server
