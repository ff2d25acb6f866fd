#pragma once

// Readers of values several sections share (internal to the loader): distributions (service,
// gateway and sidecar CPU, on/off periods, think times), retry policies (routes, library
// clients, mesh policies), load balancers (gateway, mesh policies) and placement constraints
// (services, gateway, ingress). Each reports what is wrong through the Reader and leaves `out`
// as it was where a value is invalid.

#include "models/config.h"
#include "topologies/internal/sections.h"
#include "topologies/internal/yaml_reader.h"

#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>

namespace meshsim::topologies::internal {

// A distribution of durations: a duration (a constant) or {dist: <kind>, <parameters>}.
bool parseDistribution(Reader& reader,
                       const YAML::Node& node,
                       const std::string& path,
                       engine::Distribution& out);
bool readDistribution(Reader& reader,
                      const Fields& f,
                      std::string_view key,
                      engine::Distribution& out);

// An HTTP method (`key` of `f`): an upper-case token, as Envoy's `:method` header matcher
// compares it (case-sensitive). False when absent or invalid.
bool readMethod(Reader& reader, const Fields& f, std::string_view key, std::string& out);

void readRetries(Reader& reader,
                 const YAML::Node& node,
                 const std::string& path,
                 models::RetryConfig& out);
// Envoy's circuit-breaker thresholds; `zeroIsUnset`: Istio's reading, where 0 means 2^32 - 1.
void readThresholds(Reader& reader,
                    const YAML::Node& node,
                    const std::string& path,
                    models::CircuitBreakerThresholds& out,
                    bool zeroIsUnset);
// A policy name, or a mapping with the policy and its settings.
void readLoadBalancer(Reader& reader,
                      const YAML::Node& node,
                      const std::string& path,
                      models::LoadBalancerConfig& out);
// {nodes: [...], zones: [...]}: where the instances may run.
void readPlacement(Context& ctx,
                   const YAML::Node& node,
                   const std::string& path,
                   models::PlacementConstraint& out);

} // namespace meshsim::topologies::internal
