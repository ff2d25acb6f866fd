// The routes section: the paths clients request, how they are matched and where they go.

#include "topologies/internal/read_common.h"
#include "topologies/internal/sections.h"

#include <algorithm>

namespace meshsim::topologies::internal {

namespace m = meshsim::models;

namespace {

void addTarget(m::RouteConfig& route, std::pair<std::uint32_t, m::OperationIndex> callee)
{
    route.targets.push_back(callee.first);
    route.operations.push_back(callee.second);
}

} // namespace

void readRoutes(Context& ctx, const YAML::Node& node, Scenario& s)
{
    Reader& reader = ctx.reader;
    reader.forEachItem(node, "routes", "routes", [&](const YAML::Node& item, const std::string& p) {
        m::RouteConfig config;
        Fields f(reader,
                 item,
                 p,
                 {"path",
                  "prefix",
                  "headers",
                  "method",
                  "to",
                  "aggregate",
                  "sequence",
                  "split",
                  "timeout",
                  "retries"});
        if (f.valid()) {
            if (!f.find("path"))
                reader.error(item, p, "missing key \"path\"");
            reader.readName(f, "path", config.path);
            readMethod(reader, f, "method", config.method);
            const auto index = s.system.routes.size();
            if (!config.path.empty() && config.path.front() != '/')
                reader.expected(*f.find("path"), f.pathOf("path"), "a path starting with /");
            const std::vector<std::string>& declared = ctx.names.routes();
            if (!config.path.empty()
                && std::find(declared.begin(),
                             declared.begin() + static_cast<std::ptrdiff_t>(index),
                             config.name())
                       != declared.begin() + static_cast<std::ptrdiff_t>(index))
                reader.error(*f.find("path"),
                             f.pathOf("path"),
                             "duplicate route " + quote(config.name())
                                 + (config.method.empty() ? " (routes with the same path differ "
                                                            "by \"method\")"
                                                          : ""));
            const int kinds = (f.find("to") ? 1 : 0) + (f.find("aggregate") ? 1 : 0)
                              + (f.find("sequence") ? 1 : 0) + (f.find("split") ? 1 : 0);
            if (kinds != 1) {
                reader.error(item,
                             p,
                             std::string(kinds == 0 ? "a route needs" : "a route has exactly")
                                 + " one of \"to\", \"aggregate\", \"sequence\" or \"split\"");
            } else if (const YAML::Node* to = f.find("to")) {
                config.kind = m::RouteConfig::Kind::Service;
                if (const auto t = ctx.names.callee(*to, f.pathOf("to")))
                    addTarget(config, *t);
            } else if (f.find("split")) {
                config.kind = m::RouteConfig::Kind::Split;
                reader.forEachItem(
                    *f.find("split"),
                    f.pathOf("split"),
                    "{to, weight} entries",
                    [&](const YAML::Node& e, const std::string& ep) {
                        Fields sf(reader, e, ep, {"to", "weight"});
                        if (!sf.valid())
                            return;
                        double weight = 1.0;
                        reader.readNumber(sf, "weight", weight, 1e-9, 1e9, "a positive weight");
                        if (!sf.find("to")) {
                            reader.error(e, ep, "missing key \"to\"");
                            return;
                        }
                        if (const auto t = ctx.names.callee(*sf.find("to"), sf.pathOf("to"))) {
                            addTarget(config, *t);
                            config.weights.push_back(weight);
                        }
                    });
            } else {
                const bool aggregate = f.find("aggregate") != nullptr;
                config.kind
                    = aggregate ? m::RouteConfig::Kind::Aggregate : m::RouteConfig::Kind::Sequence;
                const char* key = aggregate ? "aggregate" : "sequence";
                reader.forEachItem(
                    *f.find(key),
                    f.pathOf(key),
                    aggregate ? "service names or {to, optional} entries" : "service names",
                    [&](const YAML::Node& e, const std::string& ep) {
                        reader.visit(e);
                        if (aggregate && e.IsMap()) {
                            Fields af(reader, e, ep, {"to", "optional"});
                            if (!af.valid())
                                return;
                            if (!af.find("to")) {
                                reader.error(e, ep, "missing key \"to\"");
                                return;
                            }
                            bool optional = false;
                            reader.readBool(af, "optional", optional);
                            if (const auto t = ctx.names.callee(*af.find("to"), af.pathOf("to"))) {
                                addTarget(config, *t);
                                config.optional.push_back(optional);
                            }
                            return;
                        }
                        if (const auto t = ctx.names.callee(e, ep)) {
                            addTarget(config, *t);
                            config.optional.push_back(false);
                        }
                    });
                if (config.targets.empty() && f.find(key)->IsSequence())
                    reader.error(
                        *f.find(key), f.pathOf(key), "a composition needs at least one service");
            }
            reader.readDuration(f, "timeout", config.timeout, true);
            if (const YAML::Node* r = f.find("retries")) {
                m::RetryConfig retry;
                readRetries(reader, *r, f.pathOf("retries"), retry);
                config.retries = retry;
            }
            if (f.find("prefix")) {
                std::string prefix;
                reader.readName(f, "prefix", prefix);
                if (!prefix.empty() && prefix.front() != '/')
                    reader.expected(
                        *f.find("prefix"), f.pathOf("prefix"), "a prefix starting with /");
                config.prefix = prefix;
            }
            if (const YAML::Node* h = f.find("headers"))
                reader.readHeaders(*h, f.pathOf("headers"), config.headers);
        }
        s.system.routes.push_back(std::move(config));
    });
}

} // namespace meshsim::topologies::internal
