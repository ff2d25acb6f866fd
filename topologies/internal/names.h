#pragma once

// Names: what the references of a scenario resolve against (services, routes, zones, nodes) and
// how they resolve (internal to the loader; several sections share them).
//
// Services and routes may be referred to before they are declared, so their names are listed
// before any section is read; zones and nodes come from the platform section, which is read
// first. A reference that does not resolve gets a diagnostic with a "did you mean" hint. Names
// reports through a Reader it does not own; both live for the load of one file.

#include "models/config.h"
#include "topologies/internal/yaml_reader.h"

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace meshsim::topologies::internal {

class Names
{
public:
    explicit Names(Reader& reader)
        : m_reader(reader)
    {}

    // Lists the service and route names of the document, by index ("" where a name is missing
    // or not a string), before the sections that refer to them are read.
    void collect(const YAML::Node& root);
    void setZones(std::vector<std::string> zones) { m_zones = std::move(zones); }
    void addNode(std::string name) { m_nodes.push_back(std::move(name)); }

    const std::vector<std::string>& services() const { return m_services; }
    // Where each service is written, for diagnostics about a service as a whole.
    const std::vector<YAML::Mark>& serviceMarks() const { return m_serviceMarks; }
    const std::vector<std::string>& routes() const { return m_routes; }
    // Whether `routes` is a list (when it is not, its own diagnostic says so).
    bool routesListed() const { return m_routesListed; }
    const std::vector<std::string>& nodes() const { return m_nodes; }

    // References: the index of what `n` names, or nothing after a diagnostic. A reference into
    // a section that is missing or malformed is not reported again: the section's own error
    // says what is wrong.
    std::optional<std::uint32_t> service(const YAML::Node& n, const std::string& path);
    // What a call or a route names: `service` (a service without operations) or
    // `service.operation`.
    std::optional<std::pair<std::uint32_t, models::OperationIndex>> callee(const YAML::Node& n,
                                                                           const std::string& path);
    // Per service, the names of its operations (none for a plain service).
    const std::vector<std::vector<std::string>>& operations() const { return m_operations; }
    std::optional<std::uint32_t> route(const YAML::Node& n, const std::string& path);
    // The route a request with this path, method and headers takes: Envoy's first match in
    // declared order. A route without `prefix`, `method` or `headers` matches its own path
    // exactly, so scenarios that name routes by path work as before.
    std::optional<std::uint32_t>
    matchRoute(const YAML::Node& n,
               const std::string& path,
               const std::string& method,
               const std::vector<std::pair<std::string, std::string>>& headers,
               const std::vector<models::RouteConfig>& routes);
    std::optional<std::uint32_t> zone(const YAML::Node& n, const std::string& path);
    std::optional<std::uint32_t> node(const YAML::Node& n, const std::string& path);

private:
    std::optional<std::uint32_t> resolve(const YAML::Node& n,
                                         const std::string& path,
                                         const std::vector<std::string>& names,
                                         const std::string& kind);

    Reader& m_reader;
    std::vector<std::string> m_services;
    std::vector<YAML::Mark> m_serviceMarks;
    std::vector<std::vector<std::string>> m_operations;
    bool m_servicesListed = false;
    std::vector<std::string> m_routes;
    bool m_routesListed = false;
    std::vector<std::string> m_zones;
    std::vector<std::string> m_nodes;
};

} // namespace meshsim::topologies::internal
