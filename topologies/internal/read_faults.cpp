// The faults section: what breaks during the run, and when.

#include "topologies/internal/read_common.h"
#include "topologies/internal/sections.h"

namespace meshsim::topologies::internal {

using engine::SimDuration;
namespace m = meshsim::models;

void readFaults(Context& ctx, const YAML::Node& node, Scenario& s)
{
    Reader& reader = ctx.reader;
    reader.forEachItem(node, "faults", "faults", [&](const YAML::Node& item, const std::string& p) {
        Fields f(reader,
                 item,
                 p,
                 {"at",
                  "until",
                  "kill",
                  "node_down",
                  "slow",
                  "errors",
                  "partition",
                  "degrade",
                  "policy"});
        if (!f.valid())
            return;
        m::FaultConfig fault;
        if (!f.find("at"))
            reader.error(item, p, "missing key \"at\" (when the fault starts, e.g. at: 30s)");
        reader.readDuration(f, "at", fault.at);
        reader.readDuration(f, "until", fault.until, true);
        if (fault.until && *fault.until <= fault.at)
            reader.error(
                *f.find("until"), f.pathOf("until"), "impossible value (expected until > at)");
        int kinds = 0;
        for (const char* k :
             {"kill", "node_down", "slow", "errors", "partition", "degrade", "policy"})
            kinds += f.find(k) ? 1 : 0;
        if (kinds != 1) {
            reader.error(item,
                         p,
                         std::string(kinds == 0 ? "a fault needs" : "a fault has exactly")
                             + " one of kill, node_down, slow, errors, partition, degrade, policy");
            return;
        }
        const auto serviceOf = [&](const Fields& ff) -> std::optional<std::uint32_t> {
            if (!ff.find("service")) {
                reader.error(ff.node(), ff.path(), "missing key \"service\"");
                return std::nullopt;
            }
            return ctx.names.service(*ff.find("service"), ff.pathOf("service"));
        };
        // Which instances of the service a kill, slow or errors fault hits: `instances` (the
        // first N), `instance` (one index) or, by default, all of them; of one version's
        // instances with `version`.
        const auto instancesOf = [&](Fields& ff, const YAML::Node& n, const std::string& np) {
            const m::ServiceConfig& service = s.system.services[fault.service];
            std::uint32_t first = 0;
            std::uint32_t replicas = service.replicas;
            if (const YAML::Node* v = ff.find("version")) {
                std::vector<std::string> names;
                for (const m::VersionConfig& version : service.versions)
                    names.push_back(version.name);
                if (names.empty()) {
                    reader.error(*v,
                                 ff.pathOf("version"),
                                 "service " + quote(service.name) + " has no versions");
                    return false;
                }
                const auto which = reader.parseChoice(*v, ff.pathOf("version"), names);
                if (!which)
                    return false;
                for (std::size_t i = 0; i < *which; ++i)
                    first += service.versions[i].replicas;
                replicas = service.versions[*which].replicas;
                if (replicas == 0) {
                    reader.error(*v,
                                 ff.pathOf("version"),
                                 "version " + quote(names[*which]) + " has no replicas");
                    return false;
                }
            }
            if (ff.find("instances") && ff.find("instance")) {
                reader.error(n,
                             np,
                             "use \"instances\" (a count) or \"instance\" "
                             "(an index), not both");
                return false;
            }
            if (ff.find("instance")) {
                std::uint32_t index = 0;
                const bool ok = reader.readCount(ff, "instance", index, 0, replicas - 1);
                fault.instances.push_back(first + index);
                return ok;
            }
            std::uint32_t count = replicas;
            bool ok = true;
            if (ff.find("instances"))
                ok = reader.readCount(ff, "instances", count, 1, replicas);
            for (std::uint32_t i = 0; i < count; ++i)
                fault.instances.push_back(first + i);
            return ok;
        };
        bool good = true;
        if (const YAML::Node* k = f.find("kill")) {
            fault.kind = m::FaultConfig::Kind::Kill;
            Fields kf(
                reader, *k, f.pathOf("kill"), {"service", "version", "instances", "instance"});
            const auto sv = kf.valid() ? serviceOf(kf) : std::nullopt;
            good = sv.has_value();
            if (sv) {
                fault.service = *sv;
                good = instancesOf(kf, *k, f.pathOf("kill"));
            }
        } else if (const YAML::Node* n = f.find("node_down")) {
            fault.kind = m::FaultConfig::Kind::NodeDown;
            const YAML::Node* ref = n;
            std::string refPath = f.pathOf("node_down");
            std::optional<Fields> nf;
            reader.visit(*n);
            if (n->IsMap()) {
                nf.emplace(reader, *n, refPath, std::initializer_list<std::string_view>{"node"});
                ref = nf->find("node");
                refPath = nf->pathOf("node");
                if (!ref)
                    reader.error(*n, f.pathOf("node_down"), "missing key \"node\"");
            }
            const auto index = ref ? ctx.names.node(*ref, refPath) : std::nullopt;
            good = index.has_value();
            if (index)
                fault.node = *index;
        } else if (const YAML::Node* sl = f.find("slow")) {
            fault.kind = m::FaultConfig::Kind::Slow;
            Fields sf(reader,
                      *sl,
                      f.pathOf("slow"),
                      {"service", "version", "factor", "latency", "instances", "instance"});
            const auto sv = sf.valid() ? serviceOf(sf) : std::nullopt;
            good = sv.has_value();
            if (sv) {
                fault.service = *sv;
                good = instancesOf(sf, *sl, f.pathOf("slow"));
                reader.readNumber(sf,
                                  "factor",
                                  fault.factor,
                                  0.001,
                                  1e6,
                                  "a factor by which CPU work is multiplied (e.g. 5)");
                reader.readDuration(sf, "latency", fault.addedLatency);
                if (!sf.find("factor") && !sf.find("latency")) {
                    reader.error(
                        *sl, f.pathOf("slow"), "a slow fault needs \"factor\" or \"latency\"");
                    good = false;
                }
            }
        } else if (const YAML::Node* er = f.find("errors")) {
            fault.kind = m::FaultConfig::Kind::Errors;
            Fields ef(reader,
                      *er,
                      f.pathOf("errors"),
                      {"service", "version", "rate", "instances", "instance"});
            const auto sv = ef.valid() ? serviceOf(ef) : std::nullopt;
            good = sv.has_value();
            if (sv) {
                fault.service = *sv;
                good = instancesOf(ef, *er, f.pathOf("errors"));
                if (!ef.find("rate")) {
                    reader.error(*er, f.pathOf("errors"), "missing key \"rate\" (e.g. rate: 20%)");
                    good = false;
                }
                reader.readFraction(ef, "rate", fault.errorRate);
            }
        } else if (const YAML::Node* pt = f.find("partition")) {
            fault.kind = m::FaultConfig::Kind::Partition;
            std::vector<std::uint32_t> zones;
            reader.forEachItem(*pt,
                               f.pathOf("partition"),
                               "two zone names",
                               [&](const YAML::Node& e, const std::string& ep) {
                                   if (const auto z = ctx.names.zone(e, ep))
                                       zones.push_back(*z);
                               });
            if (zones.size() != 2 || zones[0] == zones[1]) {
                if (pt->IsSequence())
                    reader.error(
                        *pt, f.pathOf("partition"), "a partition names two different zones");
                good = false;
            } else {
                fault.zoneA = zones[0];
                fault.zoneB = zones[1];
            }
        } else if (const YAML::Node* dg = f.find("degrade")) {
            fault.kind = m::FaultConfig::Kind::Degrade;
            Fields df(reader, *dg, f.pathOf("degrade"), {"zones", "latency", "bandwidth"});
            if (df.valid()) {
                std::vector<std::uint32_t> zones;
                if (const YAML::Node* zs = df.find("zones"))
                    reader.forEachItem(*zs,
                                       df.pathOf("zones"),
                                       "one or two zone names",
                                       [&](const YAML::Node& e, const std::string& ep) {
                                           if (const auto z = ctx.names.zone(e, ep))
                                               zones.push_back(*z);
                                       });
                if (zones.empty() || zones.size() > 2) {
                    reader.error(*dg,
                                 f.pathOf("degrade"),
                                 "a degradation names one zone (inside it) or two (between them)");
                    good = false;
                } else {
                    fault.zoneA = zones[0];
                    fault.zoneB = zones.back();
                }
                SimDuration latency{0};
                if (reader.readDuration(df, "latency", latency))
                    fault.latency = latency;
                double bandwidth = 0.0;
                if (reader.readBandwidth(df, "bandwidth", bandwidth))
                    fault.bitsPerSecond = bandwidth;
                if (!df.find("latency") && !df.find("bandwidth")) {
                    reader.error(*dg,
                                 f.pathOf("degrade"),
                                 "a degradation needs \"latency\" and/or \"bandwidth\"");
                    good = false;
                }
            }
        }
        if (const YAML::Node* pn = f.find("policy")) {
            // A policy change: the calls to a service get these retries and/or this timeout.
            fault.kind = m::FaultConfig::Kind::Policy;
            Fields pf(reader, *pn, f.pathOf("policy"), {"service", "retries", "timeout"});
            const auto sv = pf.valid() ? serviceOf(pf) : std::nullopt;
            good = sv.has_value();
            if (sv)
                fault.service = *sv;
            if (pf.valid()) {
                if (const YAML::Node* r = pf.find("retries")) {
                    m::RetryConfig retry;
                    readRetries(reader, *r, pf.pathOf("retries"), retry);
                    fault.retries = retry;
                }
                reader.readDuration(pf, "timeout", fault.timeout, true);
                if (!pf.find("retries") && !pf.find("timeout")) {
                    reader.error(*pn,
                                 f.pathOf("policy"),
                                 "a policy change needs \"retries\" and/or \"timeout\"");
                    good = false;
                }
            }
        }
        if (good)
            s.system.faults.push_back(std::move(fault));
    });
}

} // namespace meshsim::topologies::internal
