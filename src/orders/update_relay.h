// UpdateRelay: on an API-only node (--role api) the order-processor runs on
// workers, so its live pushes land in the workers' WebSocket hubs, not in the
// one the customers are connected to. This function reads the outcome events
// that order-processor writes to the `orders` stream and publishes the same
// status updates to this node's hub. It runs as an in-memory consumer on
// every API node (no checkpoints: from LATEST at start; a missed push is
// what the UI's polling fallback covers).
#pragma once

#include "functions/function.h"
#include "functions/mapping_config.h"
#include "orders/api.h"

namespace orders {

class UpdateRelay final : public functions::Function {
 public:
  static constexpr char kName[] = "order-update-relay";

  explicit UpdateRelay(Publisher publish) : publish_(std::move(publish)) {}

  functions::InvocationResult Invoke(const functions::Batch& batch,
                                     const functions::InvocationContext& context) override;

  // Its mapping on the `orders` stream.
  static functions::EventSourceMappingConfig Mapping();

 private:
  Publisher publish_;
};

}  // namespace orders
