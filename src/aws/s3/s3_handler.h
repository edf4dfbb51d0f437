// The S3 REST adapter: serves the requests that reach the AWS listener
// without X-Amz-Target (bucket and object calls, path-style or virtual-host)
// from an objects::ObjectClient, with S3's XML bodies and error codes.
//
// File work (fsync, copies) blocks, so Handle runs on the adapter's own small
// thread pool and answers through Respond from there; the gateway's I/O
// threads never wait on the disk.
//
// Thread safety: Handle may be called concurrently. The ObjectClient must
// outlive the handler; destroying the handler waits for running requests.
#pragma once

#include <memory>

#include "gateway/http.h"
#include "objects/object_client.h"

namespace aws::s3 {

class S3Handler {
 public:
  explicit S3Handler(objects::ObjectClient* store, int threads = 4);
  ~S3Handler();
  S3Handler(const S3Handler&) = delete;
  S3Handler& operator=(const S3Handler&) = delete;

  // The asynchronous handler to register as the AWS REST fallback.
  gateway::Handler AsHandler();
  // Serves one request synchronously (tests, fuzzing, and the pool).
  gateway::Response Handle(gateway::Request& request);

 private:
  struct Pool;
  // `pooled`: large downloads may read on the pool while they are sent.
  gateway::Response Handle(gateway::Request& request, bool pooled);
  objects::ObjectClient* store_;
  std::unique_ptr<Pool> pool_;
};

}  // namespace aws::s3
