// Names the calling thread, so that `top -H`, perf and gdb tell Rivulet's
// threads apart ("log-commit", "fn-worker", ...). Linux keeps at most 15
// bytes; longer names are cut.
#pragma once

#include <pthread.h>

#include <string>
#include <string_view>

namespace common {

inline void NameThisThread(std::string_view name) {
  std::string cut(name.substr(0, 15));
  pthread_setname_np(pthread_self(), cut.c_str());
}

}  // namespace common
