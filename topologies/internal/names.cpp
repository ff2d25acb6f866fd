#include "topologies/internal/names.h"

#include "topologies/loader.h"

#include <algorithm>

namespace meshsim::topologies::internal {

void Names::collect(const YAML::Node& root)
{
    const YAML::Node services = root["services"];
    m_servicesListed = services && services.IsSequence();
    if (m_servicesListed) {
        for (const YAML::Node& item : services) {
            m_reader.visit(item);
            const YAML::Node name = item.IsMap() ? item["name"] : YAML::Node();
            m_services.push_back(name && name.IsScalar() ? name.Scalar() : std::string());
            m_serviceMarks.push_back(item.Mark());
            std::vector<std::string> operations;
            const YAML::Node ops = item.IsMap() ? item["operations"] : YAML::Node();
            if (ops && ops.IsSequence()) {
                for (const YAML::Node& op : ops) {
                    m_reader.visit(op);
                    const YAML::Node opName = op.IsMap() ? op["name"] : YAML::Node();
                    operations.push_back(opName && opName.IsScalar() ? opName.Scalar()
                                                                     : std::string());
                }
            }
            m_operations.push_back(std::move(operations));
        }
    }
    const YAML::Node routes = root["routes"];
    m_routesListed = routes && routes.IsSequence();
    if (m_routesListed) {
        for (const YAML::Node& item : routes) {
            m_reader.visit(item);
            const YAML::Node path = item.IsMap() ? item["path"] : YAML::Node();
            const YAML::Node method = item.IsMap() ? item["method"] : YAML::Node();
            std::string name = path && path.IsScalar() ? path.Scalar() : std::string();
            if (method && method.IsScalar() && !name.empty()) { // RouteConfig::name()
                std::string label = method.Scalar();
                label += ' ';
                label += name;
                name = std::move(label);
            }
            m_routes.push_back(std::move(name));
        }
    }
}

std::optional<std::uint32_t> Names::resolve(const YAML::Node& n,
                                            const std::string& path,
                                            const std::vector<std::string>& names,
                                            const std::string& kind)
{
    if (!m_reader.scalar(n, path, "the name of a " + kind))
        return std::nullopt;
    const std::string& name = n.Scalar();
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i] == name)
            return static_cast<std::uint32_t>(i);
    }
    std::string message = "unknown " + kind + " " + quote(name);
    if (const auto hint = closestMatch(name, names))
        message += " (did you mean " + quote(*hint) + "?)";
    else if (!names.empty())
        message += " (known: " + joinNames(names) + ")";
    m_reader.error(n, path, message);
    return std::nullopt;
}

std::optional<std::uint32_t> Names::service(const YAML::Node& n, const std::string& path)
{
    if (!m_servicesListed) {
        m_reader.visit(n);
        return std::nullopt;
    }
    return resolve(n, path, m_services, "service");
}

std::optional<std::pair<std::uint32_t, models::OperationIndex>>
Names::callee(const YAML::Node& n, const std::string& path)
{
    if (!m_servicesListed) {
        m_reader.visit(n);
        return std::nullopt;
    }
    if (!m_reader.scalar(n, path, "a service name, or service.operation"))
        return std::nullopt;
    const std::string& text = n.Scalar();
    const auto known = std::find(m_services.begin(), m_services.end(), text);
    if (known != m_services.end()) {
        const auto s = static_cast<std::uint32_t>(known - m_services.begin());
        if (!m_operations[s].empty()) {
            m_reader.error(n,
                           path,
                           "service " + quote(text) + " has operations ("
                               + joinNames(m_operations[s]) + "): name one, as in "
                               + quote(text + "." + m_operations[s][0]));
            return std::nullopt;
        }
        return std::pair{s, models::OperationIndex{0}};
    }
    const auto dot = text.rfind('.');
    if (dot != std::string::npos) {
        const std::string serviceName = text.substr(0, dot);
        const std::string operation = text.substr(dot + 1);
        const auto it = std::find(m_services.begin(), m_services.end(), serviceName);
        if (it != m_services.end()) {
            const auto s = static_cast<std::uint32_t>(it - m_services.begin());
            const std::vector<std::string>& ops = m_operations[s];
            const auto op = std::find(ops.begin(), ops.end(), operation);
            if (op != ops.end())
                return std::pair{s, static_cast<models::OperationIndex>(op - ops.begin())};
            std::string message;
            if (ops.empty()) {
                message = "service " + quote(serviceName) + " has no operations (call it as "
                          + quote(serviceName) + ")";
            } else {
                message = "service " + quote(serviceName) + " has no operation " + quote(operation);
                if (const auto hint = closestMatch(operation, ops))
                    message += " (did you mean " + quote(serviceName + "." + *hint) + "?)";
                else
                    message += " (its operations: " + joinNames(ops) + ")";
            }
            m_reader.error(n, path, message);
            return std::nullopt;
        }
    }
    resolve(n, path, m_services, "service"); // unknown: it says so, with a hint
    return std::nullopt;
}

std::optional<std::uint32_t> Names::route(const YAML::Node& n, const std::string& path)
{
    if (!m_routesListed) {
        m_reader.visit(n);
        return std::nullopt;
    }
    return resolve(n, path, m_routes, "route");
}

std::optional<std::uint32_t>
Names::matchRoute(const YAML::Node& n,
                  const std::string& path,
                  const std::string& method,
                  const std::vector<std::pair<std::string, std::string>>& headers,
                  const std::vector<models::RouteConfig>& routes)
{
    const bool matching = std::any_of(routes.begin(), routes.end(), [](const auto& r) {
        return r.prefix || !r.headers.empty() || !r.method.empty();
    });
    if (!matching && headers.empty())
        return route(n, path);
    if (!m_reader.scalar(n, path, "a request path"))
        return std::nullopt;
    const std::string& requested = n.Scalar();
    for (std::uint32_t i = 0; i < routes.size(); ++i) {
        const models::RouteConfig& r = routes[i];
        const bool pathMatches = r.prefix ? requested.compare(0, r.prefix->size(), *r.prefix) == 0
                                          : requested == r.path;
        const bool headersMatch
            = std::all_of(r.headers.begin(), r.headers.end(), [&](const auto& want) {
                  return std::find(headers.begin(), headers.end(), want) != headers.end();
              });
        const bool methodMatches = r.method.empty() || r.method == method;
        if (pathMatches && headersMatch && methodMatches)
            return i;
    }
    m_reader.error(n,
                   path,
                   "no route matches " + method + " " + quote(requested)
                       + (headers.empty() ? std::string() : " with these headers")
                       + " (a gateway would answer 404; add a route or a prefix)");
    return std::nullopt;
}

std::optional<std::uint32_t> Names::zone(const YAML::Node& n, const std::string& path)
{
    return resolve(n, path, m_zones, "zone");
}

std::optional<std::uint32_t> Names::node(const YAML::Node& n, const std::string& path)
{
    return resolve(n, path, m_nodes, "node");
}

} // namespace meshsim::topologies::internal
