// The workloads section: who sends requests, how often (the arrival process) and to which
// routes.

#include "topologies/internal/read_common.h"
#include "topologies/internal/sections.h"

#include <algorithm>
#include <set>

namespace meshsim::topologies::internal {

namespace m = meshsim::models;

namespace {

void readArrival(Reader& reader,
                 const YAML::Node& node,
                 const std::string& path,
                 m::ArrivalConfig& out)
{
    Fields f(reader, node, path, {"process", "rate", "on", "off", "schedule", "users", "think"});
    if (!f.valid())
        return;
    using P = m::ArrivalConfig::Process;
    static constexpr EnumName<P> kProcesses[] = {{"poisson", P::Poisson},
                                                 {"constant", P::Constant},
                                                 {"on_off", P::OnOff},
                                                 {"steps", P::Steps},
                                                 {"closed", P::Closed}};
    if (!f.find("process")) {
        reader.error(node,
                     path,
                     "missing key \"process\" (expected one of poisson, constant, on_off, "
                     "steps, closed)");
        return;
    }
    if (!reader.readEnum(f, "process", out.process, kProcesses))
        return;
    const auto require = [&](std::string_view key, const char* example) {
        if (f.find(key))
            return true;
        reader.error(node,
                     path,
                     "missing key " + quote(key) + " for this arrival process (e.g. " + example
                         + ")");
        return false;
    };
    const auto forbid = [&](std::initializer_list<std::string_view> keys) {
        for (const std::string_view key : keys) {
            if (const YAML::Node* n = f.find(key))
                reader.error(
                    *n, f.pathOf(key), quote(key) + " does not apply to this arrival process");
        }
    };
    switch (out.process) {
    case P::Poisson:
    case P::Constant:
        if (require("rate", "rate: 200/s"))
            reader.readRate(f, "rate", out.ratePerSecond);
        forbid({"on", "off", "schedule", "users", "think"});
        break;
    case P::OnOff:
        if (require("rate", "rate: 200/s"))
            reader.readRate(f, "rate", out.ratePerSecond);
        if (require("on", "on: 10s"))
            readDistribution(reader, f, "on", out.on);
        if (require("off", "off: 5s"))
            readDistribution(reader, f, "off", out.off);
        if (out.on.mean() <= 0.0)
            reader.error(f.nodeOr("on", node),
                         f.pathOf("on"),
                         "impossible value (expected on periods longer than 0)");
        forbid({"schedule", "users", "think"});
        break;
    case P::Steps:
        if (require("schedule", "schedule: [{at: 0s, rate: 100/s}, {at: 60s, rate: 400/s}]")) {
            reader.forEachItem(
                *f.find("schedule"),
                f.pathOf("schedule"),
                "{at, rate} entries",
                [&](const YAML::Node& item, const std::string& p) {
                    Fields sf(reader, item, p, {"at", "rate"});
                    if (!sf.valid())
                        return;
                    m::RateStep step;
                    if (!sf.find("at") || !sf.find("rate")) {
                        reader.error(item, p, "a schedule entry needs \"at\" and \"rate\"");
                        return;
                    }
                    reader.readDuration(sf, "at", step.at);
                    reader.readRate(sf, "rate", step.ratePerSecond, false);
                    if (!out.schedule.empty() && step.at <= out.schedule.back().at)
                        reader.error(*sf.find("at"),
                                     sf.pathOf("at"),
                                     "impossible value (expected times in increasing order)");
                    out.schedule.push_back(step);
                });
            if (out.schedule.empty())
                reader.error(*f.find("schedule"), f.pathOf("schedule"), "the schedule is empty");
        }
        forbid({"rate", "on", "off", "users", "think"});
        break;
    case P::Closed:
        if (require("users", "users: 50"))
            reader.readCount(f, "users", out.users, 1, reader.limits().maxUsers);
        if (f.find("think"))
            readDistribution(reader, f, "think", out.think);
        forbid({"rate", "on", "off", "schedule"});
        break;
    }
}

} // namespace

void readWorkloads(Context& ctx, const YAML::Node& node, Scenario& s)
{
    Reader& reader = ctx.reader;
    std::set<std::string> names;
    reader.forEachItem(
        node, "workloads", "workloads", [&](const YAML::Node& item, const std::string& p) {
            m::WorkloadConfig config;
            Fields f(
                reader, item, p, {"name", "arrival", "clients", "request", "mix", "start", "stop"});
            if (!f.valid())
                return;
            config.name = "workload-" + std::to_string(s.system.workloads.size() + 1);
            reader.readName(f, "name", config.name);
            if (!names.insert(config.name).second)
                reader.error(f.nodeOr("name", item),
                             f.pathOf("name"),
                             "duplicate workload " + quote(config.name));
            if (!f.find("arrival"))
                reader.error(item,
                             p,
                             "missing key \"arrival\" (e.g. arrival: {process: poisson, rate: "
                             "100/s})");
            else
                readArrival(reader, *f.find("arrival"), f.pathOf("arrival"), config.arrival);
            reader.readCount(f, "clients", config.clients, 1, 100'000'000);
            reader.readSize(f, "request", config.requestBytes);
            reader.readDuration(f, "start", config.start);
            reader.readDuration(f, "stop", config.stop, true);
            if (config.stop && *config.stop <= config.start)
                reader.error(
                    *f.find("stop"), f.pathOf("stop"), "impossible value (expected stop > start)");
            if (!f.find("mix")) {
                if (s.system.routes.size() == 1) { // one route: the mix is obvious
                    config.mix.push_back(m::MixEntry{0, 1.0, {}});
                } else if (ctx.names.routesListed()) {
                    reader.error(
                        item, p, "missing key \"mix\" (which routes this workload requests)");
                }
            } else {
                reader.forEachItem(
                    *f.find("mix"),
                    f.pathOf("mix"),
                    "{path, weight} entries",
                    [&](const YAML::Node& e, const std::string& ep) {
                        Fields mf(reader, e, ep, {"path", "method", "headers", "weight", "keys"});
                        if (!mf.valid())
                            return;
                        m::MixEntry entry;
                        reader.readNumber(
                            mf, "weight", entry.weight, 1e-9, 1e9, "a positive weight");
                        if (const YAML::Node* k = mf.find("keys")) {
                            Fields kf(reader, *k, mf.pathOf("keys"), {"count", "zipf"});
                            if (kf.valid()) {
                                std::uint32_t count = 0;
                                if (!kf.find("count"))
                                    reader.error(*k, mf.pathOf("keys"), "missing key \"count\"");
                                reader.readCount(kf, "count", count, 1, 1'000'000'000);
                                entry.keys.count = count;
                                reader.readNumber(kf,
                                                  "zipf",
                                                  entry.keys.zipf,
                                                  0.0,
                                                  10.0,
                                                  "a Zipf exponent between 0 and 10");
                            }
                        }
                        if (!mf.find("path")) {
                            reader.error(e, ep, "missing key \"path\"");
                            return;
                        }
                        std::vector<std::pair<std::string, std::string>> headers;
                        if (const YAML::Node* h = mf.find("headers"))
                            reader.readHeaders(*h, mf.pathOf("headers"), headers);
                        std::string method = "GET"; // a load generator's default
                        readMethod(reader, mf, "method", method);
                        if (const auto r = ctx.names.matchRoute(*mf.find("path"),
                                                                mf.pathOf("path"),
                                                                method,
                                                                headers,
                                                                s.system.routes)) {
                            entry.route = *r;
                            if (!headers.empty()) {
                                // Sorted, so that one set written in two orders is one set.
                                std::sort(headers.begin(), headers.end());
                                auto& sets = s.system.headerSets;
                                const auto found = std::find(sets.begin(), sets.end(), headers);
                                entry.headerSet = static_cast<std::uint32_t>(found - sets.begin());
                                if (found == sets.end()
                                    && sets.size() > reader.limits().maxHeaderSets)
                                    reader.error(*mf.find("headers"),
                                                 mf.pathOf("headers"),
                                                 "too many distinct header sets in the mixes (at "
                                                 "most "
                                                     + std::to_string(reader.limits().maxHeaderSets)
                                                     + ")");
                                else if (found == sets.end())
                                    sets.push_back(std::move(headers));
                            }
                            config.mix.push_back(entry);
                        }
                    });
                if (f.find("mix")->IsSequence() && f.find("mix")->size() == 0)
                    reader.error(*f.find("mix"), f.pathOf("mix"), "the mix is empty");
            }
            s.system.workloads.push_back(std::move(config));
        });
}

} // namespace meshsim::topologies::internal
