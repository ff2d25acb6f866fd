// The checks once every section is read: what one section cannot see alone, then the topology
// on its graph.

#include "topologies/internal/sections.h"
#include "topologies/placement.h"
#include "topologies/topology_graph.h"
#include "topologies/units.h"

#include <algorithm>

namespace meshsim::topologies::internal {

namespace m = meshsim::models;

void checkAcrossSections(Context& ctx, const Fields& root, const Scenario& s)
{
    Reader& reader = ctx.reader;
    const LoadLimits& limits = reader.limits();
    const bool wantsGateway = s.system.hasGateway();
    const bool wantsMesh = s.system.hasMesh();
    if (s.system.gateway.present && !wantsGateway)
        reader.warning(*root.find("gateway"),
                       "gateway",
                       "the gateway section is ignored in architecture "
                           + architectureName(s.system.architecture));
    if (s.system.mesh.present && !wantsMesh)
        reader.warning(*root.find("mesh"),
                       "mesh",
                       "the mesh section is ignored in architecture "
                           + architectureName(s.system.architecture));
    // Settings of one architecture that another ignores.
    const YAML::Node* routesNode = root.find("routes");
    if (!wantsGateway && routesNode && routesNode->IsSequence()
        && routesNode->size() == s.system.routes.size()) {
        for (std::size_t i = 0; i < s.system.routes.size(); ++i) {
            if (s.system.routes[i].retries)
                reader.warning((*routesNode)[i],
                               "routes[" + std::to_string(i) + "].retries",
                               "route retries are the gateway's; they are ignored in architecture "
                                   + architectureName(s.system.architecture));
        }
    }
    const YAML::Node* servicesNode = root.find("services");
    if (wantsMesh && servicesNode && servicesNode->IsSequence()
        && servicesNode->size() == s.system.services.size()) {
        for (std::size_t i = 0; i < s.system.services.size(); ++i) {
            const m::LibraryClientConfig& c = s.system.services[i].client;
            if (c.circuitBreaker || c.retries || c.timeout || c.loadBalancer)
                reader.warning((*servicesNode)[i],
                               "services[" + std::to_string(i) + "].client",
                               "library resilience is ignored in architecture "
                                   + architectureName(s.system.architecture)
                                   + " (the sidecars apply the mesh policies)");
        }
    }
    // A traffic rule whose headers no workload sends matches nothing.
    if (servicesNode && servicesNode->IsSequence()
        && servicesNode->size() == s.system.services.size()) {
        for (std::size_t i = 0; i < s.system.services.size(); ++i) {
            const std::vector<m::TrafficRule>& rules = s.system.services[i].traffic;
            for (std::size_t r = 0; r < rules.size(); ++r) {
                const auto& want = rules[r].headers;
                const bool sent = std::any_of(
                    s.system.headerSets.begin(), s.system.headerSets.end(), [&](const auto& set) {
                        return std::all_of(want.begin(), want.end(), [&](const auto& h) {
                            return std::binary_search(set.begin(), set.end(), h); // sorted
                        });
                    });
                const YAML::Node& traffic = (*servicesNode)[i]["traffic"];
                if (!sent && traffic.IsSequence() && traffic.size() == rules.size())
                    reader.warning(traffic[r],
                                   "services[" + std::to_string(i) + "].traffic["
                                       + std::to_string(r) + "].match",
                                   "no workload's requests carry these headers: the rule matches "
                                   "nothing");
            }
        }
    }
    if (s.system.services.empty() && root.find("services") && root.find("services")->IsSequence())
        reader.error(*root.find("services"), "services", "no services (expected at least one)");
    if (s.system.routes.empty() && root.find("routes") && root.find("routes")->IsSequence())
        reader.error(*root.find("routes"), "routes", "no routes (expected at least one)");
    if (s.system.workloads.empty() && root.find("workloads")
        && root.find("workloads")->IsSequence())
        reader.error(*root.find("workloads"), "workloads", "no workloads (expected at least one)");

    if (s.system.gateway.present
        && ctx.totalInstances + s.system.gateway.replicas > limits.maxInstances)
        reader.error(*root.find("gateway"),
                     "gateway.replicas",
                     "too many instances in all (services and gateway: at most "
                         + std::to_string(limits.maxInstances) + ")");
    // Things that are valid but cannot happen in this run (indices match only without errors).
    const bool clean = !reader.hasErrors();
    if (const YAML::Node* fl = root.find("faults"); clean && fl && fl->IsSequence()) {
        for (std::size_t i = 0; i < s.system.faults.size() && i < fl->size(); ++i) {
            if (s.system.faults[i].at >= s.duration)
                reader.warning((*fl)[i],
                               "faults[" + std::to_string(i) + "].at",
                               "the fault starts after the run ends (duration "
                                   + formatDuration(s.duration) + "): it has no effect");
        }
    }
    if (const YAML::Node* w = root.find("workloads"); clean && w && w->IsSequence()) {
        for (std::size_t i = 0; i < s.system.workloads.size() && i < w->size(); ++i) {
            if (s.system.workloads[i].start >= s.duration)
                reader.warning((*w)[i],
                               "workloads[" + std::to_string(i) + "].start",
                               "the workload starts after the run ends (duration "
                                   + formatDuration(s.duration) + "): it sends nothing");
        }
    }
}

namespace {

// The most calls one request to each service can cause, its callees' included (repeats at their
// maximum, a choice's largest branch). The call graph is acyclic.
class FanOut
{
public:
    explicit FanOut(const Scenario& s)
        : m_s(s)
        , m_calls(s.system.services.size(), -1.0)
    {}

    double ofService(std::uint32_t service)
    {
        if (m_calls[service] < 0.0) {
            m_calls[service] = 0.0; // (acyclic: never read before it is set below)
            double most = 0.0;      // the operation that calls the most
            for (const m::OperationConfig& operation :
                 m::operationVariants(m_s.system.services[service]))
                most = std::max(most, ofSteps(operation.steps));
            m_calls[service] = most;
        }
        return m_calls[service];
    }

private:
    double ofStep(const m::Step& step)
    {
        double once = 0.0;
        switch (step.kind) {
        case m::Step::Kind::Call:
            once = 1.0 + ofService(step.service);
            break;
        case m::Step::Kind::Choice:
            for (const m::Step& branch : step.children)
                once = std::max(once, ofStep(branch));
            break;
        case m::Step::Kind::Parallel:
        case m::Step::Kind::Sequence:
            once = ofSteps(step.children);
            break;
        }
        return once * step.repeatMax;
    }
    double ofSteps(const std::vector<m::Step>& steps)
    {
        double sum = 0.0;
        for (const m::Step& step : steps)
            sum += ofStep(step);
        return sum;
    }

    const Scenario& m_s;
    std::vector<double> m_calls;
};

std::string countText(double n)
{
    return n < 1e15 ? std::to_string(static_cast<std::uint64_t>(n)) : std::string("over 10^15");
}

} // namespace

void validateTopology(Context& ctx, const YAML::Node& root, const Scenario& s)
{
    Reader& reader = ctx.reader;
    TopologyGraph graph(s);
    if (const auto cycle = graph.findCallCycle()) {
        std::string text;
        for (const std::uint32_t sv : *cycle)
            text += (text.empty() ? "" : " -> ") + s.system.services[sv].name;
        text += " -> " + s.system.services[cycle->front()].name;
        const auto site = ctx.callSites.find({cycle->back(), cycle->front()});
        const bool known = site != ctx.callSites.end();
        reader.report(Diagnostic::Severity::Error,
                      known ? site->second.first : YAML::Mark::null_mark(),
                      known ? site->second.second : std::string(),
                      "call cycle: " + text + " (requests would call each other forever)");
    } else {
        // Repeats multiply: bound the calls of one request before a run tries them.
        FanOut fanOut(s);
        for (std::uint32_t i = 0; i < s.system.services.size(); ++i) {
            const double calls = fanOut.ofService(i);
            if (calls > reader.limits().maxCallsPerRequest) {
                reader.report(Diagnostic::Severity::Error,
                              ctx.names.serviceMarks()[i],
                              "services[" + std::to_string(i) + "].steps",
                              "one request to service " + quote(s.system.services[i].name)
                                  + " can make up to " + countText(calls)
                                  + " calls, its callees' included (at most "
                                  + countText(reader.limits().maxCallsPerRequest)
                                  + "): lower the repeat counts");
                break;
            }
        }
    }
    const std::vector<bool> reachable = graph.servicesReachableFromRoutes();
    for (std::size_t i = 0; i < s.system.services.size(); ++i) {
        if (!reachable[i]) {
            reader.report(Diagnostic::Severity::Warning,
                          ctx.names.serviceMarks()[i],
                          "services[" + std::to_string(i) + "]",
                          "service " + quote(s.system.services[i].name)
                              + " is not reached by any route: it will receive no requests");
        }
    }
    std::vector<bool> used(s.system.routes.size(), false);
    for (const m::WorkloadConfig& w : s.system.workloads)
        for (const m::MixEntry& e : w.mix)
            used[e.route] = true;
    const YAML::Node routesNode = root["routes"];
    for (std::size_t i = 0; i < s.system.routes.size(); ++i) {
        if (!used[i])
            reader.warning(routesNode[i],
                           "routes[" + std::to_string(i) + "]",
                           "route " + quote(s.system.routes[i].name())
                               + " is in no workload's mix");
    }
    std::string placementError = checkPlacement(s);
    if (!placementError.empty())
        reader.error(root["platform"] ? root["platform"] : root, "platform", placementError);
}

} // namespace meshsim::topologies::internal
