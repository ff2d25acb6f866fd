#include "topologies/loader.h"

#include "topologies/builtin_scenarios.h"
#include "topologies/internal/names.h"
#include "topologies/internal/sections.h"
#include "topologies/internal/yaml_reader.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <fstream>

namespace meshsim::topologies {

using internal::BudgetExceeded;
using internal::Fields;
using internal::quote;

std::optional<std::string> closestMatch(std::string_view word,
                                        const std::vector<std::string>& candidates)
{
    const auto distance = [](std::string_view a, std::string_view b) {
        std::vector<std::size_t> row(b.size() + 1);
        for (std::size_t j = 0; j <= b.size(); ++j)
            row[j] = j;
        for (std::size_t i = 1; i <= a.size(); ++i) {
            std::size_t diagonal = row[0];
            row[0] = i;
            for (std::size_t j = 1; j <= b.size(); ++j) {
                const std::size_t up = row[j];
                const bool same = std::tolower(static_cast<unsigned char>(a[i - 1]))
                                  == std::tolower(static_cast<unsigned char>(b[j - 1]));
                row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
                diagonal = up;
            }
        }
        return row[b.size()];
    };
    std::optional<std::string> best;
    std::size_t bestDistance = std::max<std::size_t>(2, word.size() / 3) + 1;
    for (const std::string& candidate : candidates) {
        const std::size_t d = distance(word, candidate);
        if (d < bestDistance) {
            bestDistance = d;
            best = candidate;
        }
    }
    return best;
}

namespace {

// The document, section by section. Services and routes are listed first: any section may refer
// to them. The topology is validated only when the sections are free of errors, since its checks
// rely on every reference being resolved.
void readScenario(internal::Context& ctx, const YAML::Node& root, Scenario& s)
{
    Fields f(ctx.reader,
             root,
             "",
             {"meshsim", "name",   "description",  "seed",   "duration",  "warmup",   "drain",
              "window",  "engine", "architecture", "slo",    "platform",  "services", "routes",
              "gateway", "mesh",   "workloads",    "faults", "discovery", "traces"},
             true); // x-... keys: anchors' home
    if (!f.valid())
        return;
    internal::readRunSettings(ctx, f, s);

    ctx.names.collect(root);
    if (const YAML::Node* p = f.find("platform"))
        internal::readPlatform(ctx, *p, s);
    else
        ctx.names.setZones(s.platform.zones);
    if (const YAML::Node* sv = f.find("services"))
        internal::readServices(ctx, *sv, s);
    else
        ctx.reader.error(root, "", "missing key \"services\" (the services to simulate)");
    if (const YAML::Node* r = f.find("routes"))
        internal::readRoutes(ctx, *r, s);
    else
        ctx.reader.error(root, "", "missing key \"routes\" (the paths clients request)");
    if (const YAML::Node* g = f.find("gateway"))
        internal::readGateway(ctx, *g, s);
    if (const YAML::Node* mh = f.find("mesh"))
        internal::readMesh(ctx, *mh, s);
    if (const YAML::Node* w = f.find("workloads"))
        internal::readWorkloads(ctx, *w, s);
    else
        ctx.reader.error(root, "", "missing key \"workloads\" (who sends requests, and how often)");
    if (const YAML::Node* fl = f.find("faults"))
        internal::readFaults(ctx, *fl, s);
    if (const YAML::Node* sl = f.find("slo"))
        internal::readSlo(ctx, *sl, s);
    if (const YAML::Node* d = f.find("discovery"))
        internal::readDiscovery(ctx, *d, s);
    if (const YAML::Node* t = f.find("traces"))
        internal::readTraces(ctx, *t, s);

    internal::checkAcrossSections(ctx, f, s);
    if (!ctx.reader.hasErrors())
        internal::validateTopology(ctx, root, s);
}

} // namespace

LoadResult
loadScenarioText(std::string_view text, const std::string& displayName, const LoadLimits& limits)
{
    LoadResult result;
    const auto fail = [&](int line, int column, std::string message) {
        Diagnostic d;
        d.file = displayName;
        d.line = line;
        d.column = column;
        d.message = std::move(message);
        result.diagnostics.push_back(std::move(d));
        return result;
    };
    if (text.size() > limits.maxFileBytes)
        return fail(0,
                    0,
                    "file too large (" + std::to_string(text.size()) + " bytes; at most "
                        + std::to_string(limits.maxFileBytes) + " bytes)");
    // Binary data: NUL and other control bytes have no place in a scenario file.
    int line = 1;
    int column = 1;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u == 0 || (u < 0x20 && c != '\n' && c != '\r' && c != '\t') || u == 0x7f)
            return fail(line,
                        column,
                        "binary data (control byte " + std::to_string(u)
                            + "): expected a YAML text file");
        if (c == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    const bool blank = std::all_of(text.begin(), text.end(), [](char c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t';
    });
    if (blank)
        return fail(0,
                    0,
                    "empty file (expected a scenario: meshsim: 1, services, routes, "
                    "workloads)");
    YAML::Node root;
    try {
        root = YAML::Load(std::string(text));
    } catch (const YAML::DeepRecursion& e) {
        return fail(e.mark.is_null() ? 0 : e.mark.line + 1,
                    e.mark.is_null() ? 0 : e.mark.column + 1,
                    "YAML nested too deeply (more than " + std::to_string(e.depth())
                        + " levels of lists or mappings)");
    } catch (const YAML::Exception& e) {
        return fail(e.mark.is_null() ? 0 : e.mark.line + 1,
                    e.mark.is_null() ? 0 : e.mark.column + 1,
                    "YAML syntax error: " + e.msg);
    }
    if (!root || root.IsNull())
        return fail(0,
                    0,
                    "empty file (expected a scenario: meshsim: 1, services, routes, "
                    "workloads)");
    Scenario scenario;
    scenario.file = displayName;
    try {
        internal::Reader reader(displayName, limits, result.diagnostics);
        internal::Names names(reader);
        internal::Context context{reader, names, {}, 0};
        readScenario(context, root, scenario);
    } catch (const BudgetExceeded& e) {
        // One diagnostic instead of what was found so far: an alias bomb repeats each of its
        // mistakes once per path that reaches it.
        result.diagnostics.clear();
        return fail(e.mark.is_null() ? 0 : e.mark.line + 1,
                    e.mark.is_null() ? 0 : e.mark.column + 1,
                    "document too large to read: more than "
                        + std::to_string(limits.maxNodesVisited)
                        + " values (counting every use of an alias)");
    } catch (const YAML::Exception& e) {
        return fail(e.mark.is_null() ? 0 : e.mark.line + 1,
                    e.mark.is_null() ? 0 : e.mark.column + 1,
                    "YAML error: " + e.msg);
    }
    std::stable_sort(result.diagnostics.begin(),
                     result.diagnostics.end(),
                     [](const Diagnostic& a, const Diagnostic& b) {
                         return a.line != b.line ? a.line < b.line : a.column < b.column;
                     });
    if (!hasErrors(result.diagnostics)) {
        if (scenario.name.empty())
            scenario.name = displayName;
        result.scenario = std::move(scenario);
    }
    return result;
}

namespace {

// At most one byte past the limit: a huge file is refused without reading it all.
std::optional<std::string> readLimited(const std::string& path, const LoadLimits& limits)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return std::nullopt;
    std::string text(limits.maxFileBytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    return text;
}

} // namespace

LoadResult loadScenarioFile(const std::string& path, const LoadLimits& limits)
{
    const auto text = readLimited(path, limits);
    if (!text) {
        LoadResult result;
        result.diagnostics.push_back(
            Diagnostic{Diagnostic::Severity::Error, path, 0, 0, "", "cannot open the file"});
        return result;
    }
    return loadScenarioText(*text, path, limits);
}

std::optional<std::string> scenarioSourceText(const std::string& nameOrPath,
                                              const LoadLimits& limits)
{
    using Source = std::optional<std::string_view> (*)(std::string_view);
    const std::pair<std::string_view, Source> sets[]
        = {{"builtin:", builtinScenarioText}, {"validation:", validationScenarioText}};
    for (const auto& [prefix, source] : sets)
        if (nameOrPath.rfind(prefix, 0) == 0) {
            const auto t = source(std::string_view(nameOrPath).substr(prefix.size()));
            return t ? std::optional<std::string>(*t) : std::nullopt;
        }
    auto text = readLimited(nameOrPath, limits);
    if (text && text->size() > limits.maxFileBytes)
        return std::nullopt;
    return text;
}

LoadResult loadScenario(const std::string& nameOrPath, const LoadLimits& limits)
{
    struct Set
    {
        std::string_view prefix;
        std::vector<std::string> (*names)();
        std::optional<std::string_view> (*text)(std::string_view);
        const char* what;
    };
    static const Set kSets[]
        = {{"builtin:", builtinScenarioNames, builtinScenarioText, "built-in scenario"},
           {"validation:", validationScenarioNames, validationScenarioText, "validation scenario"}};
    for (const Set& set : kSets) {
        if (nameOrPath.rfind(set.prefix, 0) != 0)
            continue;
        const std::string name = nameOrPath.substr(set.prefix.size());
        if (const auto text = set.text(name))
            return loadScenarioText(*text, nameOrPath, limits);
        LoadResult result;
        std::string message = std::string("no ") + set.what + " named " + quote(name);
        if (const auto hint = closestMatch(name, set.names()))
            message += " (did you mean " + std::string(set.prefix) + *hint + "?)";
        result.diagnostics.push_back(
            Diagnostic{Diagnostic::Severity::Error, nameOrPath, 0, 0, "", message});
        return result;
    }
    return loadScenarioFile(nameOrPath, limits);
}

} // namespace meshsim::topologies
