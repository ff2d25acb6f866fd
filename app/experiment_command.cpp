// compare, sweep and merge: experiments of many runs (run/experiment.h), each run in a child
// process of its own (SimGrid allows one engine per process; the runs use every core), with a
// progress bar on a terminal, shards for machines beyond one, and the outputs of
// docs/experiments.md.

#include "app/child_run.h"
#include "app/cli_commands.h"
#include "app/cli_options.h"
#include "app/text_report.h"
#include "run/experiment.h"
#include "topologies/loader.h"
#include "topologies/units.h"

#include <QDir>
#include <QFile>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <set>
#include <unistd.h>

namespace meshsim::app {

namespace {

using Json = nlohmann::ordered_json;

const QCommandLineOption kOutOption({"o", "out"},
                                    "Write plan.json, runs/NNNN.json (each run's results.json) and "
                                    "experiment.json into DIR.",
                                    "DIR");
const QCommandLineOption kJobsOption("jobs", "Runs at once (default: one per core).", "N");
const QCommandLineOption kReplicationsOption("replications",
                                             "Runs per design with independent seeds (default 1).",
                                             "N",
                                             "1");
const QCommandLineOption
    kIndependentOption("independent-streams",
                       "Give every design seeds of its own instead of common random numbers.");
const QCommandLineOption kArchitecturesOption(
    "architectures",
    "Run every scenario in each of these architectures (comma-separated: direct, gateway, mesh, "
    "gateway+mesh).",
    "LIST");
const QCommandLineOption kGatewayKindsOption(
    "gateway-kinds",
    "Run every design with a gateway with each of these products (comma-separated: envoy, kong, "
    "nginx).",
    "LIST");
const QCommandLineOption kMeshKindsOption(
    "mesh-kinds",
    "Run every design with a mesh with each of these products (comma-separated: istio, "
    "istio-ambient, linkerd).",
    "LIST");
const QCommandLineOption kCostOption("core-hour-cost",
                                     "Money per core-hour: adds the cost per hour of the busy "
                                     "cores and of the proxies.",
                                     "X");
const QCommandLineOption kShardOption("shard",
                                      "Run only share K of N (every N-th run from the K-th) and "
                                      "write its results into --out, for meshsim-cli merge.",
                                      "K/N");
const QCommandLineOption
    kFailOnSloOption("fail-on-slo",
                     "Exit with status 3 when a design misses an objective of its SLO.");
const QCommandLineOption kQuietOption({"q", "quiet"}, "Print only errors.");
const QCommandLineOption kP99LimitOption(
    "p99-limit", "The p99 latency that defines the knee (default: the scenario's slo.p99).", "D");

// A progress bar with an estimate of the time left, on a terminal only.
class ProgressBar
{
public:
    ProgressBar(std::size_t total, bool show)
        : m_total(total)
        , m_show(show && isatty(fileno(stderr)) != 0)
        , m_start(std::chrono::steady_clock::now())
    {
        draw();
    }
    void tick()
    {
        ++m_done;
        draw();
    }
    void end()
    {
        if (m_show)
            std::fputs("\r\033[K", stderr);
    }

private:
    void draw() const
    {
        if (!m_show)
            return;
        constexpr std::size_t kWidth = 30;
        const std::size_t filled = m_total ? kWidth * m_done / m_total : kWidth;
        std::string bar(filled, '#');
        bar.resize(kWidth, '.');
        std::string left = "";
        if (m_done > 0 && m_done < m_total) {
            const double elapsed
                = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
            const double remaining
                = elapsed / static_cast<double>(m_done) * static_cast<double>(m_total - m_done);
            left = format(", about %.0f s left", std::ceil(remaining));
        }
        std::fprintf(
            stderr, "\r\033[K[%s] %zu/%zu runs%s", bar.c_str(), m_done, m_total, left.c_str());
        std::fflush(stderr);
    }

    std::size_t m_total;
    std::size_t m_done = 0;
    bool m_show;
    std::chrono::steady_clock::time_point m_start;
};

QString runFileName(std::size_t index)
{
    return QString("%1.json").arg(index, 4, 10, QChar('0'));
}

std::optional<Json> readJson(const QString& path, std::string& error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        error = "cannot read " + local(path) + ": " + local(file.errorString());
        return std::nullopt;
    }
    const QByteArray bytes = file.readAll();
    Json j = Json::parse(bytes.constBegin(), bytes.constEnd(), nullptr, false);
    if (j.is_discarded()) {
        error = local(path) + " is not valid JSON";
        return std::nullopt;
    }
    return j;
}

// Writes what one machine writes: plan.json, runs/, experiment.json.
bool writeExperiment(const QString& dir,
                     const run::Plan& plan,
                     const std::vector<std::optional<Json>>& results,
                     const Json* summary)
{
    if (!QDir().mkpath(QDir(dir).filePath("runs"))) {
        std::fprintf(stderr, "meshsim-cli: cannot create %s\n", local(dir).c_str());
        return false;
    }
    if (!writeFile(QDir(dir).filePath("plan.json"), plan.toJson().dump(2) + "\n"))
        return false;
    for (std::size_t i = 0; i < results.size(); ++i)
        if (results[i]
            && !writeFile(QDir(dir).filePath("runs/" + runFileName(i)), results[i]->dump(2) + "\n"))
            return false;
    return !summary || writeFile(QDir(dir).filePath("experiment.json"), summary->dump(2) + "\n");
}

// Summarises complete results, prints, writes; the exit status.
int finishExperiment(const run::Plan& plan,
                     const std::vector<std::optional<Json>>& results,
                     const QCommandLineParser& parser)
{
    std::vector<Json> all;
    for (const auto& r : results)
        all.push_back(*r);
    const Json summary = run::summarize(plan, all);
    if (!parser.isSet(kQuietOption))
        std::fputs(formatExperiment(summary).c_str(), stdout);
    if (parser.isSet(kOutOption)) {
        if (!writeExperiment(parser.value(kOutOption), plan, results, &summary))
            return kExitFailure;
        if (!parser.isSet(kQuietOption))
            std::printf("experiment written to %s\n", local(parser.value(kOutOption)).c_str());
    }
    if (parser.isSet(kFailOnSloOption) && run::sloFailed(summary)) {
        std::fprintf(stderr, "meshsim-cli: an SLO is not met\n");
        return kExitSloFailed;
    }
    return kExitOk;
}

// A design's product that its architecture does not have is no design of its own: dropped,
// and so are the duplicates that leaves (bookstore in mesh with --gateway-kinds envoy,kong).
bool dropUnusedProducts(run::Plan& plan)
{
    std::vector<run::Design> kept;
    for (run::Design design : plan.designs) {
        if (design.gatewayKind || design.meshKind) {
            run::Design bare = design;
            bare.gatewayKind.reset();
            bare.meshKind.reset();
            std::vector<topologies::Override> overrides;
            if (bare.architecture)
                overrides.push_back({"architecture", *bare.architecture});
            const topologies::LoadResult loaded
                = topologies::loadScenarioWithOverrides(design.scenario, overrides);
            if (!loaded.ok()) {
                printDiagnostics(loaded.diagnostics);
                std::fprintf(stderr, "meshsim-cli: %s does not load\n", design.scenario.c_str());
                return false;
            }
            if (!loaded.scenario->system.hasGateway())
                design.gatewayKind.reset();
            if (!loaded.scenario->system.hasMesh())
                design.meshKind.reset();
        }
        const bool duplicate = std::any_of(kept.begin(), kept.end(), [&](const run::Design& k) {
            return k.scenario == design.scenario && k.architecture == design.architecture
                   && k.gatewayKind == design.gatewayKind && k.meshKind == design.meshKind;
        });
        if (!duplicate)
            kept.push_back(design);
    }
    plan.designs = std::move(kept);
    return true;
}

// Checks every design at every point loads, and takes the texts and the base seed.
bool prepare(run::Plan& plan, const std::optional<std::uint64_t>& seed)
{
    if (!dropUnusedProducts(plan))
        return false;
    std::optional<std::uint64_t> base = seed;
    std::set<std::string> labels;
    for (std::size_t d = 0; d < plan.designs.size(); ++d) {
        run::Design& design = plan.designs[d];
        for (std::size_t p = 0; p < plan.points(); ++p) {
            const run::RunSpec spec = plan.run((p * plan.designs.size() + d) * plan.replications);
            const topologies::LoadResult loaded
                = topologies::loadScenarioWithOverrides(design.scenario, spec.overrides);
            if (!loaded.ok()) {
                printDiagnostics(loaded.diagnostics);
                std::string where;
                for (const topologies::Override& o : spec.overrides)
                    where += " " + o.path + "=" + o.value;
                std::fprintf(stderr,
                             "meshsim-cli: %s does not load%s%s\n",
                             design.scenario.c_str(),
                             where.empty() ? "" : " with",
                             where.c_str());
                return false;
            }
            if (plan.duration) {
                const auto length = topologies::parseDuration(*plan.duration);
                if (length.value && loaded.scenario->warmup >= *length.value) {
                    std::fprintf(stderr,
                                 "meshsim-cli: --duration must be longer than the warmup of %s "
                                 "(%s)\n",
                                 design.scenario.c_str(),
                                 topologies::formatDuration(loaded.scenario->warmup).c_str());
                    return false;
                }
            }
            if (p > 0)
                continue;
            if (!base)
                base = loaded.scenario->seed;
            std::string what;
            for (const auto* part : {&design.architecture, &design.gatewayKind, &design.meshKind})
                if (*part)
                    what += (what.empty() ? "" : ", ") + **part;
            const std::string name
                = loaded.scenario->name + (what.empty() ? std::string() : " [" + what + "]");
            std::string label = name;
            for (int n = 2; labels.count(label); ++n)
                label = name + " #" + std::to_string(n);
            labels.insert(label);
            design.label = label;
            plan.scenarioTexts.push_back(
                topologies::scenarioSourceText(design.scenario).value_or(std::string()));
        }
    }
    plan.baseSeed = *base;
    return true;
}

QStringList childArguments(const run::Plan& plan, const run::RunSpec& spec)
{
    QStringList args{QString::fromStdString(plan.designs[spec.design].scenario),
                     "--seed",
                     QString::number(spec.seed)};
    if (plan.engine)
        args << "--engine" << QString::fromStdString(*plan.engine);
    if (plan.duration)
        args << "--duration" << QString::fromStdString(*plan.duration);
    for (const topologies::Override& o : spec.overrides)
        args << "--set" << QString::fromStdString(o.path + "=" + o.value);
    return args;
}

// Runs the plan's runs (or a shard's share), then summarises or writes the shard.
int execute(const run::Plan& plan, const QCommandLineParser& parser, const QString& self)
{
    std::size_t shardK = 1, shardN = 1;
    if (parser.isSet(kShardOption)) {
        const QStringList parts = parser.value(kShardOption).split('/');
        bool okK = false, okN = false;
        if (parts.size() == 2) {
            shardK = parts[0].toULongLong(&okK);
            shardN = parts[1].toULongLong(&okN);
        }
        if (!okK || !okN || shardN < 1 || shardK < 1 || shardK > shardN) {
            std::fprintf(stderr, "meshsim-cli: --shard expects K/N with 1 <= K <= N, e.g. 2/8\n");
            return kExitUsage;
        }
        if (!parser.isSet(kOutOption)) {
            std::fprintf(stderr, "meshsim-cli: --shard needs --out DIR for its results\n");
            return kExitUsage;
        }
    }
    std::vector<std::size_t> mine;
    std::vector<QStringList> args;
    for (std::size_t i = 0; i < plan.runCount(); ++i) {
        if (!run::Plan::inShard(i, shardK, shardN))
            continue;
        mine.push_back(i);
        args.push_back(childArguments(plan, plan.run(i)));
    }
    ProgressBar progress(mine.size(), !parser.isSet(kQuietOption));
    const auto children = runChildren(
        self, args, jobs(parser, kJobsOption), 600, [&progress](std::size_t) { progress.tick(); });
    progress.end();
    std::vector<std::optional<Json>> results(plan.runCount());
    bool failed = false;
    for (std::size_t k = 0; k < mine.size(); ++k) {
        const run::RunSpec spec = plan.run(mine[k]);
        if (!children[k].results) {
            std::fprintf(stderr,
                         "meshsim-cli: run %zu (%s, replication %u): %s\n",
                         mine[k],
                         plan.designs[spec.design].label.c_str(),
                         spec.replication + 1,
                         children[k].error.c_str());
            failed = true;
            continue;
        }
        results[mine[k]] = *children[k].results;
    }
    if (failed)
        return kExitFailure;
    if (shardN > 1) {
        if (!writeExperiment(parser.value(kOutOption), plan, results, nullptr))
            return kExitFailure;
        if (!parser.isSet(kQuietOption))
            std::printf("shard %zu/%zu: %zu of %zu runs written to %s; combine the shards with "
                        "meshsim-cli merge\n",
                        shardK,
                        shardN,
                        mine.size(),
                        plan.runCount(),
                        local(parser.value(kOutOption)).c_str());
        return kExitOk;
    }
    return finishExperiment(plan, results, parser);
}

// The options compare and sweep share, into a plan; nullopt after a usage error.
std::optional<run::Plan> planFromOptions(const QCommandLineParser& parser,
                                         const QStringList& files,
                                         const char* kind,
                                         std::optional<std::uint64_t>& seed)
{
    run::Plan plan;
    plan.kind = kind;
    const auto options = runOptions(parser);
    if (!options)
        return std::nullopt;
    seed = options->seed;
    if (parser.isSet(kEngineOption))
        plan.engine = local(parser.value(kEngineOption));
    if (parser.isSet(kDurationOption))
        plan.duration = local(parser.value(kDurationOption));
    bool good = false;
    const int replications = parser.value(kReplicationsOption).toInt(&good);
    if (!good || replications < 1 || replications > 10'000) {
        std::fprintf(stderr, "meshsim-cli: --replications expects a number from 1 to 10000\n");
        return std::nullopt;
    }
    plan.replications = static_cast<std::uint32_t>(replications);
    if (parser.isSet(kJobsOption)) {
        const int n = parser.value(kJobsOption).toInt(&good);
        if (!good || n < 1 || n > 4096) {
            std::fprintf(stderr, "meshsim-cli: --jobs expects a number from 1 to 4096\n");
            return std::nullopt;
        }
    }
    plan.commonRandomNumbers = !parser.isSet(kIndependentOption);
    if (parser.isSet(kCostOption)) {
        const double cost = parser.value(kCostOption).toDouble(&good);
        if (!good || cost < 0) {
            std::fprintf(stderr, "meshsim-cli: --core-hour-cost expects a number >= 0\n");
            return std::nullopt;
        }
        plan.coreHourCost = cost;
    }
    std::vector<std::optional<std::string>> architectures{std::nullopt};
    if (parser.isSet(kArchitecturesOption)) {
        architectures.clear();
        for (const QString& a : parser.value(kArchitecturesOption).split(',', Qt::SkipEmptyParts))
            architectures.push_back(local(a.trimmed()));
        if (architectures.empty()) {
            std::fprintf(stderr,
                         "meshsim-cli: --architectures expects a list such as gateway,mesh\n");
            return std::nullopt;
        }
    }
    // Products: each list crosses the designs; prepare() drops a product from a design whose
    // architecture lacks that component (and the duplicates it leaves).
    const auto kinds
        = [&](const QCommandLineOption& option, std::vector<std::optional<std::string>>& out) {
              if (!parser.isSet(option))
                  return true;
              out.clear();
              for (const QString& k : parser.value(option).split(',', Qt::SkipEmptyParts))
                  out.push_back(local(k.trimmed()));
              if (out.empty()) {
                  std::fprintf(stderr,
                               "meshsim-cli: --%s expects a comma-separated list\n",
                               option.names().first().toUtf8().constData());
                  return false;
              }
              return true;
          };
    std::vector<std::optional<std::string>> gatewayKinds{std::nullopt};
    std::vector<std::optional<std::string>> meshKinds{std::nullopt};
    if (!kinds(kGatewayKindsOption, gatewayKinds) || !kinds(kMeshKindsOption, meshKinds))
        return std::nullopt;
    for (const QString& file : files)
        for (const auto& a : architectures)
            for (const auto& g : gatewayKinds)
                for (const auto& m : meshKinds)
                    plan.designs.push_back({"", local(file), a, g, m});
    return plan;
}

// A key a run's own options decide (a --set of it would be overridden without a word).
bool settable(const QCommandLineParser& parser, const std::string& path)
{
    const char* option
        = path == "seed"                                                 ? "--seed"
          : path == "engine" && parser.isSet(kEngineOption)              ? "--engine"
          : path == "duration" && parser.isSet(kDurationOption)          ? "--duration"
          : path == "architecture" && parser.isSet(kArchitecturesOption) ? "--architectures"
          : path == "gateway.kind" && parser.isSet(kGatewayKindsOption)  ? "--gateway-kinds"
          : path == "mesh.kind" && parser.isSet(kMeshKindsOption)        ? "--mesh-kinds"
                                                                         : nullptr;
    if (!option)
        return true;
    std::fprintf(stderr,
                 "meshsim-cli: --set %s: a run's %s option decides it; use that option\n",
                 path.c_str(),
                 option);
    return false;
}

void addExperimentOptions(QCommandLineParser& parser)
{
    parser.addOptions({kOutOption,
                       kJobsOption,
                       kReplicationsOption,
                       kIndependentOption,
                       kArchitecturesOption,
                       kGatewayKindsOption,
                       kMeshKindsOption,
                       kCostOption,
                       kShardOption,
                       kFailOnSloOption,
                       kQuietOption,
                       kSetOption,
                       kSeedOption,
                       kEngineOption,
                       kDurationOption});
}

} // namespace

int compareCommand(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument("FILE...", "Scenario files or builtin:<name>.");
    addExperimentOptions(parser);
    if (!parse(parser,
               args,
               "Simulate several designs with the same workload and seeds and compare them: every "
               "metric with its 95% confidence interval over replications, each design against "
               "the first."))
        return kExitUsage;
    if (parser.positionalArguments().isEmpty()) {
        std::fprintf(stderr, "meshsim-cli compare: expected at least one scenario FILE\n");
        return kExitUsage;
    }
    std::optional<std::uint64_t> seed;
    auto plan = planFromOptions(parser, parser.positionalArguments(), "compare", seed);
    if (!plan)
        return kExitUsage;
    // --set in a compare: one value for every design.
    for (const QString& text : parser.values(kSetOption)) {
        std::string error;
        const auto o = topologies::parseOverride(local(text), error);
        if (!o) {
            std::fprintf(stderr, "meshsim-cli: --set %s\n", error.c_str());
            return kExitUsage;
        }
        if (!settable(parser, o->path))
            return kExitUsage;
        plan->axes.push_back({o->path, {o->value}});
    }
    if (!prepare(*plan, seed))
        return kExitFailure;
    return execute(*plan, parser, selfExecutable(args.front()));
}

int sweepCommand(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument("FILE", "Scenario file or builtin:<name>.");
    addExperimentOptions(parser);
    parser.addOption(kP99LimitOption);
    if (!parse(parser,
               args,
               "Run a scenario over a grid of settings (--set KEY=V1,V2,... or "
               "KEY=FROM..TO/STEPS, repeatable), with replications: latency and errors against "
               "offered load, the knee and the saturation throughput."))
        return kExitUsage;
    if (parser.positionalArguments().size() != 1) {
        std::fprintf(stderr, "meshsim-cli sweep: expected exactly one scenario FILE\n");
        return kExitUsage;
    }
    if (parser.values(kSetOption).isEmpty()) {
        std::fprintf(stderr, "meshsim-cli sweep: expected at least one --set KEY=VALUES\n");
        return kExitUsage;
    }
    std::optional<std::uint64_t> seed;
    auto plan = planFromOptions(parser, parser.positionalArguments(), "sweep", seed);
    if (!plan)
        return kExitUsage;
    for (const QString& text : parser.values(kSetOption)) {
        std::string error;
        auto axis = run::parseAxis(local(text), error);
        if (!axis) {
            std::fprintf(stderr, "meshsim-cli: --set %s\n", error.c_str());
            return kExitUsage;
        }
        if (!settable(parser, axis->path))
            return kExitUsage;
        plan->axes.push_back(std::move(*axis));
    }
    if (plan->points() > 100'000) {
        std::fprintf(stderr, "meshsim-cli sweep: the grid has more than 100000 points\n");
        return kExitUsage;
    }
    if (parser.isSet(kP99LimitOption)) {
        const auto d = topologies::parseDuration(local(parser.value(kP99LimitOption)));
        if (!d.value || d.value->count() <= 0) {
            std::fprintf(stderr, "meshsim-cli: --p99-limit expects %s\n", d.expected.c_str());
            return kExitUsage;
        }
        plan->p99LimitMs = static_cast<double>(d.value->count()) / 1e6;
    }
    if (!prepare(*plan, seed))
        return kExitFailure;
    return execute(*plan, parser, selfExecutable(args.front()));
}

int mergeCommand(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument("DIR...", "Directories written by compare or sweep --shard.");
    parser.addOptions({kOutOption, kFailOnSloOption, kQuietOption});
    if (!parse(parser,
               args,
               "Combine the shards of an experiment into the output one machine would have "
               "written."))
        return kExitUsage;
    if (parser.positionalArguments().isEmpty() || !parser.isSet(kOutOption)) {
        std::fprintf(stderr, "meshsim-cli merge: expected shard directories and --out DIR\n");
        return kExitUsage;
    }
    std::optional<run::Plan> plan;
    std::string planText;
    std::vector<std::optional<Json>> results;
    for (const QString& dir : parser.positionalArguments()) {
        std::string error;
        const auto json = readJson(QDir(dir).filePath("plan.json"), error);
        if (!json) {
            std::fprintf(stderr, "meshsim-cli merge: %s\n", error.c_str());
            return kExitFailure;
        }
        if (!plan) {
            plan = run::Plan::fromJson(*json, error);
            if (!plan) {
                std::fprintf(
                    stderr, "meshsim-cli merge: %s: %s\n", local(dir).c_str(), error.c_str());
                return kExitFailure;
            }
            planText = json->dump();
            results.resize(plan->runCount());
        } else if (json->dump() != planText) {
            std::fprintf(stderr,
                         "meshsim-cli merge: %s holds another experiment's shard (its plan.json "
                         "differs from %s's)\n",
                         local(dir).c_str(),
                         local(parser.positionalArguments().front()).c_str());
            return kExitFailure;
        }
        for (std::size_t i = 0; i < results.size(); ++i) {
            const QString path = QDir(dir).filePath("runs/" + runFileName(i));
            if (results[i] || !QFile::exists(path))
                continue;
            auto r = readJson(path, error);
            if (!r || !run::checkRun(*plan, i, *r, error)) {
                std::fprintf(
                    stderr, "meshsim-cli merge: %s: %s\n", local(path).c_str(), error.c_str());
                return kExitFailure;
            }
            results[i] = std::move(*r);
        }
    }
    std::vector<std::size_t> missing;
    for (std::size_t i = 0; i < results.size(); ++i)
        if (!results[i])
            missing.push_back(i);
    if (!missing.empty()) {
        std::string list;
        for (std::size_t k = 0; k < std::min<std::size_t>(missing.size(), 8); ++k)
            list += " " + local(runFileName(missing[k]));
        std::fprintf(stderr,
                     "meshsim-cli merge: %zu of %zu runs are missing (runs/%s%s): a shard was not "
                     "given or did not finish\n",
                     missing.size(),
                     results.size(),
                     list.c_str() + 1,
                     missing.size() > 8 ? " ..." : "");
        return kExitFailure;
    }
    return finishExperiment(*plan, results, parser);
}

} // namespace meshsim::app
