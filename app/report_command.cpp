// report: what a run or an experiment hands on. Reads results.json files or an experiment's
// directory (compare, sweep, merge --out) and writes the HTML report, the PDF, CSV files, the
// summary JSON and the traces as OTLP/JSON; without an output option it prints the findings.

#include "app/cli_commands.h"
#include "app/cli_options.h"
#include "report/csv_export.h"
#include "report/findings.h"
#include "report/html_report.h"
#include "report/pdf_report.h"
#include "run/otlp_json.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>

#include <cstdio>
#include <memory>

#ifndef MESHSIM_VERSION
#define MESHSIM_VERSION "unknown"
#endif

namespace meshsim::app {

namespace {

using Json = nlohmann::ordered_json;

std::optional<Json> readJsonFile(const QString& path, std::string& error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        error = "cannot read " + local(path) + ": " + local(file.errorString());
        return std::nullopt;
    }
    // results.json of the largest runs stay far below this (parsing takes about ten times the
    // file's size in memory); a bigger file is not ours.
    constexpr qint64 kLimit = qint64(512) << 20;
    if (file.size() > kLimit) {
        error = local(path) + " is larger than 512 MiB";
        return std::nullopt;
    }
    const QByteArray bytes = file.readAll();
    Json j = Json::parse(bytes.constBegin(), bytes.constEnd(), nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        error = local(path) + " is not a JSON document";
        return std::nullopt;
    }
    return j;
}

// The report's data from the arguments: one experiment directory, or results.json files.
std::optional<report::ReportData> load(const QStringList& inputs, std::string& error)
{
    const auto experimentDir = [](const QString& input) -> std::optional<QString> {
        const QFileInfo info(input);
        if (info.isDir() && QFile::exists(QDir(input).filePath("plan.json")))
            return input;
        if (info.fileName() == "experiment.json" || info.fileName() == "plan.json")
            return info.absolutePath();
        return std::nullopt;
    };
    if (const auto dir = experimentDir(inputs.front())) {
        if (inputs.size() > 1) {
            error = "give one experiment directory, or results.json files";
            return std::nullopt;
        }
        const auto planJson = readJsonFile(QDir(*dir).filePath("plan.json"), error);
        if (!planJson)
            return std::nullopt;
        auto plan = run::Plan::fromJson(*planJson, error);
        if (!plan)
            return std::nullopt;
        std::vector<Json> runs;
        for (std::size_t i = 0; i < plan->runCount(); ++i) {
            const QString path
                = QDir(*dir).filePath(QString("runs/%1.json").arg(i, 4, 10, QChar('0')));
            auto r = readJsonFile(path, error);
            if (!r) {
                error += " (an experiment's runs are all needed: merge the shards first)";
                return std::nullopt;
            }
            if (!run::checkRun(*plan, i, *r, error)) {
                error = local(path) + ": " + error;
                return std::nullopt;
            }
            runs.push_back(std::move(*r));
        }
        return report::fromExperiment(std::move(*plan), std::move(runs));
    }
    std::vector<Json> runs;
    for (const QString& input : inputs) {
        const QString path
            = QFileInfo(input).isDir() ? QDir(input).filePath("results.json") : input;
        auto r = readJsonFile(path, error);
        if (!r)
            return std::nullopt;
        if (!run::checkResults(*r, error)) {
            error = local(path) + ": " + error;
            return std::nullopt;
        }
        runs.push_back(std::move(*r));
    }
    return report::fromRuns(std::move(runs));
}

// The date the report is made: SOURCE_DATE_EPOCH when set (reproducible reports), else now.
std::string generatedDate()
{
    bool ok = false;
    const qint64 epoch = qEnvironmentVariable("SOURCE_DATE_EPOCH").toLongLong(&ok);
    const QDateTime when
        = ok ? QDateTime::fromSecsSinceEpoch(epoch, Qt::UTC) : QDateTime::currentDateTimeUtc();
    return local(when.toString(Qt::ISODate));
}

} // namespace

int reportCommand(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(
        "RESULT...", "results.json files (or run --out directories), or one experiment directory.");
    const QCommandLineOption html("html", "Write the self-contained HTML report to FILE.", "FILE");
    const QCommandLineOption pdf(
        "pdf", "Write the report as a PDF (vector charts) to FILE.", "FILE");
    const QCommandLineOption csv(
        "csv", "Write CSV files (per run, window, route, service, edge) into DIR.", "DIR");
    const QCommandLineOption json(
        "json", "Write the summary document (docs/experiments.md) to FILE.", "FILE");
    const QCommandLineOption otlp(
        "otlp", "Write the sampled traces of one run as OTLP/JSON to FILE.", "FILE");
    const QCommandLineOption failOnSlo("fail-on-slo", "Exit with status 3 when an SLO is missed.");
    parser.addOptions({html, pdf, csv, json, otlp, failOnSlo});
    if (!parse(parser,
               args,
               "Make a report of runs or of an experiment: findings in plain language, then the "
               "evidence. Without an output option, print the findings."))
        return kExitUsage;
    if (parser.positionalArguments().isEmpty()) {
        std::fprintf(
            stderr, "meshsim-cli report: expected results.json files or an experiment directory\n");
        return kExitUsage;
    }
    std::string error;
    auto data = load(parser.positionalArguments(), error);
    if (!data) {
        std::fprintf(stderr, "meshsim-cli report: %s\n", error.c_str());
        return kExitFailure;
    }
    if (parser.isSet(otlp) && data->runs.size() != 1) {
        std::fprintf(stderr,
                     "meshsim-cli report: --otlp takes one run (its trace ids derive from its "
                     "seed): give one results.json, e.g. runs/0000.json of an experiment\n");
        return kExitUsage;
    }
    data->version = MESHSIM_VERSION;
    data->generated = generatedDate();
    const bool anyOutput = parser.isSet(html) || parser.isSet(pdf) || parser.isSet(csv)
                           || parser.isSet(json) || parser.isSet(otlp);
    if (!anyOutput)
        for (const report::Finding& f : report::findings(*data))
            std::printf("%s%s\n", f.alarm ? "! " : "- ", f.text.c_str());
    if (parser.isSet(html) && !writeFile(parser.value(html), report::htmlReport(*data).html))
        return kExitFailure;
    if (parser.isSet(json) && !writeFile(parser.value(json), data->summary.dump(2) + "\n"))
        return kExitFailure;
    if (parser.isSet(csv)) {
        const QDir dir(parser.value(csv));
        if (!QDir().mkpath(dir.path())) {
            std::fprintf(
                stderr, "meshsim-cli report: cannot create %s\n", local(dir.path()).c_str());
            return kExitFailure;
        }
        for (const report::CsvFile& f : report::csvFiles(*data))
            if (!writeFile(dir.filePath(QString::fromStdString(f.name)), f.text))
                return kExitFailure;
    }
    if (parser.isSet(otlp)) {
        run::OtlpOptions options;
        options.scopeVersion = MESHSIM_VERSION;
        if (!writeFile(parser.value(otlp),
                       run::tracesToOtlp(data->runs.front(), options).dump() + "\n"))
            return kExitFailure;
    }
    if (parser.isSet(pdf)) {
        // The PDF needs Qt's GUI module but no display: offscreen, unless told otherwise.
        if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
        int argc = 1;
        char name[] = "meshsim-cli";
        char* argv[] = {name, nullptr};
        const QGuiApplication app(argc, argv);
        report::HtmlOptions options;
        options.chartsAsImages = true;
        QString problem;
        if (!report::writePdfReport(
                report::htmlReport(*data, options), parser.value(pdf), problem)) {
            std::fprintf(stderr, "meshsim-cli report: %s\n", local(problem).c_str());
            return kExitFailure;
        }
    }
    if (parser.isSet(failOnSlo) && run::sloFailed(data->summary)) {
        std::fprintf(stderr, "meshsim-cli report: an SLO is not met\n");
        return kExitSloFailed;
    }
    return kExitOk;
}

} // namespace meshsim::app
