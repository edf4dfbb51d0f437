// Which stream, table and object services this node uses: the embedded
// engines under the data directory (the default), or remote services that
// speak the AWS protocols (real AWS, or another Rivulet node's :4566):
//
//   [stream]  backend = "embedded" | "kinesis"   endpoint = "http://host:4566"
//   [table]   backend = "embedded" | "dynamodb"  endpoint = "..."
//   [objects] backend = "embedded" | "s3"        endpoint = "..."
//   [aws]     region = "us-east-1"  (else AWS_REGION / AWS_DEFAULT_REGION)
//
// Remote backends sign with the credentials the AWS SDKs would find (the
// AWS_* environment variables or the shared credentials file).
#pragma once

#include "common/status.h"
#include "objects/object_client.h"
#include "server/config.h"
#include "server/services.h"
#include "stream/stream_client.h"
#include "table/table_client.h"

namespace stream { class StreamEngine; }
namespace table { class TableEngine; }
namespace objects { class FileObjectStore; }

namespace server {

struct Backends {
  stream::StreamClient* streams = nullptr;
  table::TableClient* tables = nullptr;
  objects::ObjectClient* objects = nullptr;
  // The embedded engines, when used (the AWS endpoint serves only these).
  stream::StreamEngine* stream_engine = nullptr;
  table::TableEngine* table_engine = nullptr;
  objects::FileObjectStore* object_store = nullptr;
};

// Opens the configured backends; the registry owns them. InvalidArgument for
// an unknown backend name or a remote backend without an endpoint.
common::Result<Backends> OpenBackends(const Config& config, ServiceRegistry* registry);

}  // namespace server
