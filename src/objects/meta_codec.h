// The sidecar files the object store keeps next to the data: one per object,
// one per multipart upload, one per uploaded part. The format is described
// in src/objects/README.md ("On disk"); every file is
//   "RVO1" | kind byte | varint-length-prefixed fields | fixed32 CRC32 of all before it
// and is only ever replaced by rename, so a reader sees a whole old or new one.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "objects/object_client.h"

namespace objects {

// An object as the index holds it: what S3 returns plus the name of the
// data file (in the same directory as the sidecar).
struct StoredObject {
  ObjectInfo info;
  std::string data_file;
};

// What a multipart upload remembers until it completes.
struct StoredUpload {
  MultipartUpload upload;
  ObjectMetadata metadata;
};

struct StoredPart {
  PartInfo part;
  std::string data_file;
};

std::string EncodeObject(const StoredObject& object);
common::Result<StoredObject> DecodeObject(std::string_view bytes);
std::string EncodeUpload(const StoredUpload& upload);
common::Result<StoredUpload> DecodeUpload(std::string_view bytes);
std::string EncodePart(const StoredPart& part);
common::Result<StoredPart> DecodePart(std::string_view bytes);

}  // namespace objects
