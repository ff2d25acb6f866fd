// The scenario editor and click-to-inject, driven as a user drives them on the offscreen
// platform: the outline of a YAML text (paths, positions, edits that keep the file), the format's
// help read from docs/scenario-format.md, live validation, completion, the recovery file, and a
// fault injected from the window whose re-run equals the previous run before the fault's time.

#include "topologies/yaml_outline.h"
#include "ui/format_help.h"
#include "ui/main_window.h"
#include "ui/scenario_editor.h"
#include "ui/scenario_form.h"

#include <QElapsedTimer>
#include <QFile>
#include <QLineEdit>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>

using namespace meshsim;
namespace m = meshsim::models;

namespace {

const QString kSmallMesh = QStringLiteral(MESHSIM_SOURCE_DIR "/tests/ui/scenarios/small-mesh.yaml");

QString readAll(const QString& path)
{
    QFile f(path);
    f.open(QIODevice::ReadOnly);
    return QString::fromUtf8(f.readAll());
}

const std::string kSample = R"(# a comment line
meshsim: 1
name: sample   # trailing comment
description: >
  a folded: block scalar
  - not a list
services:
  - name: web
    replicas: 2    # two of them
    cpu: {dist: exponential, mean: 2ms}
    steps:
      - call: orders
      - parallel:
          - call: stock
          - {call: audit, optional: true}
  - name: orders
    steps:
    - stock
platform:
  zones: [a, b]
)";

topologies::KeyPath path(std::initializer_list<std::pair<const char*, int>> steps)
{
    topologies::KeyPath p;
    for (const auto& [key, index] : steps)
        p.push_back(topologies::PathStep{key ? std::string(key) : std::string(), index});
    return p;
}

using topologies::applyEdit;

bool runToEnd(ui::MainWindow& w, int timeoutMs = 120000)
{
    QSignalSpy finished(&w, &ui::MainWindow::runFinished);
    QSignalSpy failed(&w, &ui::MainWindow::openFailed);
    QElapsedTimer clock;
    clock.start();
    while (finished.isEmpty() && failed.isEmpty() && clock.elapsed() < timeoutMs)
        QTest::qWait(20);
    if (finished.isEmpty())
        return false;
    return w.session().state() == ui::RunSession::State::Finished;
}

// The two recordings are the same before `seconds` (windows of 1 s): every window before it, and
// every sampled request that ended before it, hop by hop.
void sameBefore(const m::Recording& before, const m::Recording& after, std::uint32_t seconds)
{
    const std::uint32_t faultWindow = seconds;
    QVERIFY(before.windows > faultWindow && after.windows > faultWindow);
    for (std::uint32_t w8 = 0; w8 < faultWindow; ++w8) {
        for (std::size_t r = 0; r < before.routes.size(); ++r) {
            QCOMPARE(after.routes[r][w8].sent, before.routes[r][w8].sent);
            QVERIFY(after.routes[r][w8].answered.outcomes
                    == before.routes[r][w8].answered.outcomes);
            QCOMPARE(after.routes[r][w8].answered.latency, before.routes[r][w8].answered.latency);
        }
        for (std::size_t t = 0; t < before.tiers.size(); ++t) {
            QCOMPARE(after.tiers[t][w8].arrivals, before.tiers[t][w8].arrivals);
            QCOMPARE(after.tiers[t][w8].busyMean, before.tiers[t][w8].busyMean);
            QVERIFY(after.tiers[t][w8].responses.outcomes
                    == before.tiers[t][w8].responses.outcomes);
        }
        for (std::size_t e = 0; e < before.edges.size(); ++e) {
            QCOMPARE(after.edges[e][w8].attempts, before.edges[e][w8].attempts);
            QVERIFY(after.edges[e][w8].calls.outcomes == before.edges[e][w8].calls.outcomes);
        }
    }
    // The sampled requests that ended before the fault: the same, hop for hop.
    const std::int64_t faultNs = std::int64_t{seconds} * 1'000'000'000;
    auto endedBefore = [&](const m::Recording& r) {
        std::map<std::uint64_t, const m::RecordedRequest*> out;
        for (const auto& q : r.requests)
            if (q.complete && q.hops[0].end >= 0 && q.hops[0].end < faultNs)
                out[q.id] = &q;
        return out;
    };
    const auto a = endedBefore(before);
    const auto b = endedBefore(after);
    QVERIFY(a.size() > 100);
    QCOMPARE(b.size(), a.size());
    for (const auto& [id, q] : a) {
        QVERIFY(b.count(id));
        const auto* p = b.at(id);
        QCOMPARE(p->hops.size(), q->hops.size());
        for (std::size_t h = 0; h < q->hops.size(); ++h) {
            QCOMPARE(p->hops[h].start, q->hops[h].start);
            QCOMPARE(p->hops[h].end, q->hops[h].end);
            QVERIFY(p->hops[h].outcome == q->hops[h].outcome);
        }
    }
}

} // namespace

class TestEditor : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true); // recovery files and settings in a test place
        qputenv("MESHSIM_CLI", MESHSIM_CLI);
    }

    // Every key gets the path the loader's diagnostics would give it, at its own line and column,
    // through block and flow style, list items, nested step groups and a block scalar.
    void outlinePaths()
    {
        const topologies::YamlOutline o = topologies::YamlOutline::fromText(kSample);
        const topologies::OutlineEntry* replicas
            = o.find(path({{"services", -1}, {nullptr, 0}, {"replicas", -1}}));
        QVERIFY(replicas);
        QCOMPARE(replicas->line, 8);
        QCOMPARE(replicas->keyColumn, 4);
        QCOMPARE(replicas->value, std::string("2")); // the comment is not part of the value
        const auto* mean
            = o.find(path({{"services", -1}, {nullptr, 0}, {"cpu", -1}, {"mean", -1}}));
        QVERIFY(mean);
        QCOMPARE(mean->value, std::string("2ms"));
        QVERIFY(mean->flow);
        const auto* audit = o.find(path({{"services", -1},
                                         {nullptr, 0},
                                         {"steps", -1},
                                         {nullptr, 1},
                                         {"parallel", -1},
                                         {nullptr, 1},
                                         {"call", -1}}));
        QVERIFY(audit);
        QCOMPARE(audit->value, std::string("audit"));
        QCOMPARE(topologies::genericPath(audit->path), std::string("services.steps.call"));
        // A list written at the key's own indentation, and a scalar item.
        const auto* stock
            = o.find(path({{"services", -1}, {nullptr, 1}, {"steps", -1}, {nullptr, 0}}));
        QVERIFY(stock);
        QCOMPARE(stock->value, std::string("stock"));
        // The block scalar's lines are text, not keys.
        QVERIFY(!o.find(path({{"a folded", -1}})));
        const auto* zone = o.find(path({{"platform", -1}, {"zones", -1}, {nullptr, 1}}));
        QVERIFY(zone);
        QCOMPARE(zone->value, std::string("b"));
        // A new line typed under a service's steps belongs to that list.
        const topologies::YamlOutline typing = topologies::YamlOutline::fromText(
            "services:\n  - name: web\n    steps:\n      - call: a\n      \n");
        QCOMPARE(topologies::formatPath(typing.contextAt(4, 6)), std::string("services[0].steps"));
        QCOMPARE(topologies::formatPath(typing.contextAt(4, 4)), std::string("services[0]"));
    }

    // Setting a value changes only that value: comments, quoting and layout stay; a missing key
    // is added under its parent, indented as its siblings; a flow mapping grows in place.
    void setScalarKeepsTheRestOfTheFile()
    {
        const topologies::YamlOutline o = topologies::YamlOutline::fromText(kSample);
        auto edit = o.setScalar(path({{"services", -1}, {nullptr, 0}, {"replicas", -1}}), "5");
        QVERIFY(edit);
        std::string out = applyEdit(kSample, *edit);
        QVERIFY(out.find("    replicas: 5    # two of them\n") != std::string::npos);
        QCOMPARE(out.size(), kSample.size()); // one character for one character

        edit = o.setScalar(path({{"services", -1}, {nullptr, 1}, {"workers", -1}}), "8");
        QVERIFY(edit);
        out = applyEdit(kSample, *edit);
        QVERIFY2(out.find("    - stock\n    workers: 8\nplatform:") != std::string::npos,
                 out.c_str());

        edit
            = o.setScalar(path({{"services", -1}, {nullptr, 0}, {"cpu", -1}, {"mean", -1}}), "3ms");
        QVERIFY(edit);
        QVERIFY(applyEdit(kSample, *edit).find("cpu: {dist: exponential, mean: 3ms}")
                != std::string::npos);

        edit = o.setScalar(path({{"services", -1}, {nullptr, 0}, {"cpu", -1}, {"median", -1}}),
                           "1ms");
        QVERIFY(edit);
        QVERIFY(applyEdit(kSample, *edit).find("mean: 2ms, median: 1ms}") != std::string::npos);

        // A key two levels down that does not exist yet: both are created.
        edit = o.setScalar(path({{"services", -1}, {nullptr, 0}, {"client", -1}, {"timeout", -1}}),
                           "1s");
        QVERIFY(edit);
        out = applyEdit(kSample, *edit);
        QVERIFY2(out.find("optional: true}\n    client:\n      timeout: 1s\n  - name: orders")
                     != std::string::npos,
                 out.c_str());
        // A list item that does not exist cannot be invented.
        QVERIFY(!o.setScalar(path({{"services", -1}, {nullptr, 7}, {"replicas", -1}}), "1"));
    }

    // Appending to `faults` creates the list when there is none, and continues it otherwise.
    void appendToTopList()
    {
        const std::string noFaults = "meshsim: 1\nname: x   # keep\n";
        auto o = topologies::YamlOutline::fromText(noFaults);
        std::string out
            = applyEdit(noFaults, *o.appendToTopList("faults", {"{at: 5s, kill: {service: a}}"}));
        QCOMPARE(
            out,
            std::string(
                "meshsim: 1\nname: x   # keep\n\nfaults:\n  - {at: 5s, kill: {service: a}}\n"));
        o = topologies::YamlOutline::fromText(out);
        out = applyEdit(out, *o.appendToTopList("faults", {"{at: 9s, kill: {service: b}}"}));
        QVERIFY2(out.find("  - {at: 5s, kill: {service: a}}\n  - {at: 9s, kill: {service: b}}")
                     != std::string::npos,
                 out.c_str());
    }

    // Lists and mappings written in flow style grow in place, whatever their content; a key
    // written with a blank before its colon keeps it.
    void flowStyleGrowsInPlace()
    {
        const std::string flowFaults = "faults: [{at: 1s, partition: [a, b]}]   # one\n";
        auto o = topologies::YamlOutline::fromText(flowFaults);
        auto edit = o.appendToTopList("faults", {"{at: 9s, kill: {service: b}}"});
        QVERIFY(edit);
        QCOMPARE(applyEdit(flowFaults, *edit),
                 std::string("faults: [{at: 1s, partition: [a, b]}, {at: 9s, kill: {service: b}}]"
                             "   # one\n"));
        const std::string empty = "faults: []\n";
        o = topologies::YamlOutline::fromText(empty);
        edit = o.appendToTopList("faults", {"{at: 9s, kill: {service: b}}"});
        QVERIFY(edit);
        QCOMPARE(applyEdit(empty, *edit),
                 std::string("faults:\n  - {at: 9s, kill: {service: b}}\n"));
        // A list over several lines in flow style is not guessed at.
        o = topologies::YamlOutline::fromText("faults: [{at: 1s,\n  kill: {service: a}}]\n");
        QVERIFY(!o.appendToTopList("faults", {"{at: 9s, kill: {service: b}}"}));

        // A route written as a one-line flow mapping gets its new keys inside its braces.
        const std::string routes = "routes:\n  - {path: /books, to: catalog}  # books\n";
        o = topologies::YamlOutline::fromText(routes);
        edit = o.setScalar(path({{"routes", -1}, {nullptr, 0}, {"retries", -1}, {"attempts", -1}}),
                           "2");
        QVERIFY(edit);
        QCOMPARE(applyEdit(routes, *edit),
                 std::string("routes:\n  - {path: /books, to: catalog, retries: {attempts: 2}}"
                             "  # books\n"));
        // `key :` (a blank before the colon) keeps its colon where it is.
        const std::string spaced = "slo:\n  p99 :\n";
        o = topologies::YamlOutline::fromText(spaced);
        edit = o.setScalar(path({{"slo", -1}, {"p99", -1}}), "300ms");
        QVERIFY(edit);
        QCOMPARE(applyEdit(spaced, *edit), std::string("slo:\n  p99 : 300ms\n"));
    }

    // The help is docs/scenario-format.md's tables: every key table is placed, and a key's row
    // is the one its section gives (values quoted from the document).
    void formatHelpIsTheDocument()
    {
        const ui::FormatHelp& help = ui::formatHelp();
        QVERIFY2(help.unmappedTables().empty(),
                 help.unmappedTables().empty() ? "" : help.unmappedTables().front().c_str());
        const ui::FormatRow* workers = help.help("services.workers");
        QVERIFY(workers);
        QCOMPARE(workers->defaultValue, std::string("`16`"));
        const ui::FormatRow* attempts = help.help("mesh.destinations.retries.attempts");
        QVERIFY(attempts);
        QCOMPARE(attempts->section, std::string("Retry policy"));
        const ui::FormatRow* gatewayWorkers = help.help("gateway.workers");
        QVERIFY(gatewayWorkers);
        QCOMPARE(gatewayWorkers->defaultValue, std::string("`4`"));
        QVERIFY(help.help("services.client.circuit_breaker.kind"));
        QVERIFY(help.help("services.steps.optional"));
        QVERIFY(help.help("faults.kill"));
        QVERIFY(help.help("services.cpu.median")); // a key of a distribution mapping
        const ui::FormatRow* versionReplicas = help.help("services.versions.replicas");
        QVERIFY(versionReplicas);
        QCOMPARE(versionReplicas->section, std::string("Versions and traffic rules"));
        QCOMPARE(versionReplicas->defaultValue, std::string("`1`"));
        QVERIFY(help.help("services.versions.steps"));
        QVERIFY(help.help("services.traffic.split"));
        const auto engines = help.valuesFor("engine");
        QCOMPARE(engines, (std::vector<std::string>{"fast", "simgrid"}));
        const auto dists = help.valuesFor("services.cpu.dist");
        QVERIFY(std::find(dists.begin(), dists.end(), "lognormal") != dists.end());
        const auto keys = help.keysUnder("services");
        for (const char* k : {"name", "replicas", "workers", "queue", "cpu", "steps", "client"})
            QVERIFY2(std::find(keys.begin(), keys.end(), k) != keys.end(), k);
        const auto top = help.keysUnder("");
        for (const char* k : {"meshsim", "seed", "services", "mesh", "faults", "slo"})
            QVERIFY2(std::find(top.begin(), top.end(), k) != top.end(), k);
        QVERIFY(help.valueHelp("workloads.arrival.process", "steps"));
        QCOMPARE(help.namesFor("services.steps.call"), ui::NameKind::Service);
    }

    // Typing an error underlines it where the loader says and lists it; fixing it clears both.
    void typingAnErrorUnderlinesIt()
    {
        ui::ScenarioEditor editor;
        editor.resize(600, 800);
        editor.show();
        QSignalSpy validated(&editor, &ui::ScenarioEditor::validated);
        editor.setScenario(kSmallMesh, readAll(kSmallMesh));
        QVERIFY(validated.wait(20000));
        QCOMPARE(validated.last().at(0).toBool(), true);
        QVERIFY(editor.underlines().empty());

        // `replicas: 2` of web becomes `replicas: two`, typed as a user types it.
        const int line = static_cast<int>(
            readAll(kSmallMesh).left(readAll(kSmallMesh).indexOf("replicas: 2")).count('\n'));
        QTextCursor c(editor.editor().document()->findBlockByNumber(line));
        c.movePosition(QTextCursor::EndOfBlock);
        editor.editor().setTextCursor(c);
        editor.editor().setFocus();
        QTest::keyClick(&editor.editor(), Qt::Key_Backspace);
        QTest::keyClicks(&editor.editor(), "two");
        // Typing never waits for the loader: its result comes after a pause.
        QVERIFY(editor.validationPending());
        QTRY_VERIFY_WITH_TIMEOUT(!editor.validationPending(), 20000);
        QVERIFY(!editor.diagnostics().empty());
        const auto& d = editor.diagnostics().front();
        QCOMPARE(d.line, line + 1); // 1-based in diagnostics
        QCOMPARE(d.column, static_cast<int>(std::string("    replicas: ").size()) + 1);
        QCOMPARE(d.path, std::string("services[0].replicas"));
        const auto marks = editor.underlines();
        QCOMPARE(marks.size(), std::size_t{1});
        QCOMPARE(std::get<0>(marks.front()), line);
        QCOMPARE(std::get<1>(marks.front()), d.column - 1);
        QCOMPARE(std::get<2>(marks.front()), 3); // "two"
        QVERIFY(editor.problems().item(0)->text().startsWith(
            QString("%1:%2").arg(d.line).arg(d.column)));
        // Clicking the problem puts the cursor there.
        editor.editor().moveCursor(QTextCursor::Start);
        emit editor.problems().itemActivated(editor.problems().item(0));
        QCOMPARE(editor.editor().textCursor().blockNumber(), line);
        QCOMPARE(editor.editor().textCursor().positionInBlock(), d.column - 1);

        // Fix it: the underline and the problem go.
        for (int i = 0; i < 3; ++i)
            QTest::keyClick(&editor.editor(), Qt::Key_Delete);
        QTest::keyClicks(&editor.editor(), "3");
        QTRY_VERIFY_WITH_TIMEOUT(!editor.validationPending(), 20000);
        QVERIFY(editor.diagnostics().empty());
        QVERIFY(editor.underlines().empty());
        QCOMPARE(editor.problems().item(0)->text(), QString("No problems."));
        // Undo goes back through the edits to the file as it was.
        while (editor.editor().document()->isUndoAvailable())
            editor.editor().undo();
        QCOMPARE(editor.text(), readAll(kSmallMesh));
    }

    // Completion offers the format's keys where a key is typed and the declared names where a
    // service is expected; hover help is the document's row.
    void completionAndHelp()
    {
        ui::ScenarioEditor editor;
        editor.show();
        editor.setScenario(kSmallMesh, readAll(kSmallMesh));
        // A new call under web's steps.
        QVERIFY(editor.revealService("web"));
        const int stepsLine
            = static_cast<int>(readAll(kSmallMesh)
                                   .left(readAll(kSmallMesh).indexOf("      - call: orders"))
                                   .count('\n'));
        QTextCursor c(editor.editor().document()->findBlockByNumber(stepsLine));
        c.movePosition(QTextCursor::EndOfBlock);
        editor.editor().setTextCursor(c);
        editor.editor().insertPlainText("\n      - call: ");
        QStringList names = editor.completionsAtCursor();
        QVERIFY2(names.contains("web") && names.contains("orders"), qPrintable(names.join(',')));
        editor.editor().insertPlainText("or");
        names = editor.completionsAtCursor();
        QCOMPARE(names, QStringList{"orders"});
        // Keys of a service, typed at a service's indentation.
        editor.editor().insertPlainText("ders\n    rep");
        const QStringList keys = editor.completionsAtCursor();
        QCOMPARE(keys, QStringList{"replicas: "});
        // Hover help on `workers` of a service is the services table's row.
        const int workersLine = static_cast<int>(
            readAll(kSmallMesh).left(readAll(kSmallMesh).indexOf("    workers: 16")).count('\n'));
        const QString help = editor.helpAt(workersLine, 6);
        QVERIFY2(help.contains("Requests one instance serves at once"), qPrintable(help));
        QVERIFY(help.contains("16"));
        QVERIFY(editor.helpAt(workersLine, 0).isEmpty()); // before the key: nothing
    }

    // Where a service is expected, a service's operations are offered as `service.operation`,
    // the way calls and routes name them.
    void completionOffersOperations()
    {
        ui::ScenarioEditor editor;
        editor.show();
        const QString text = "meshsim: 1\n"
                             "services:\n"
                             "  - name: web\n"
                             "    steps:\n"
                             "      - call: cart.get\n"
                             "  - name: cart\n"
                             "    operations:\n"
                             "      - name: get\n"
                             "      - name: add\n"
                             "routes: [{path: /x, to: web}]\n";
        editor.setScenario("ops.yaml", text);
        QTextCursor c(editor.editor().document()->findBlockByNumber(4));
        c.movePosition(QTextCursor::EndOfBlock);
        editor.editor().setTextCursor(c);
        editor.editor().insertPlainText("\n      - call: ca");
        const QStringList names = editor.completionsAtCursor();
        QCOMPARE(names, (QStringList{"cart", "cart.get", "cart.add"}));
    }

    // A form-like edit goes into the text as one undo step and keeps the comments.
    void setValueKeepsComments()
    {
        ui::ScenarioEditor editor;
        editor.setScenario(kSmallMesh, readAll(kSmallMesh));
        QVERIFY(editor.setValue(path({{"services", -1}, {nullptr, 1}, {"replicas", -1}}), "5"));
        QVERIFY(editor.setValue(
            path({{"mesh", -1}, {"defaults", -1}, {"retries", -1}, {"attempts", -1}}), "0"));
        QCOMPARE(editor.valueAt(path({{"services", -1}, {nullptr, 1}, {"replicas", -1}})),
                 QString("5"));
        const QString text = editor.text();
        QVERIFY(text.contains("retries: {attempts: 0, per_try_timeout: 500ms"));
        QVERIFY(text.startsWith("# A small mesh for the GUI tests"));
        QVERIFY(text.contains("# totals), a kill and a slow fault"));
        QVERIFY(editor.isModified());
        editor.editor().undo();
        editor.editor().undo();
        QCOMPARE(editor.text(), readAll(kSmallMesh));
    }

    // The form follows the cursor into a service or a mesh policy, shows the values the text
    // holds, and writes a field into the text in place: comments and layout stay.
    void formWritesTheYaml()
    {
        ui::ScenarioEditor editor;
        ui::ScenarioForm form(&editor);
        editor.setScenario(kSmallMesh, readAll(kSmallMesh));
        QVERIFY(editor.revealService("orders"));
        QCOMPARE(topologies::formatPath(form.subject()), std::string("services[1]"));
        QVERIFY(form.field("replicas"));
        QCOMPARE(form.field("replicas")->text(), QString("3"));
        QCOMPARE(form.field("queue")->text(), QString()); // not written: the default shows
        QCOMPARE(form.field("queue")->placeholderText(), QString("1024"));
        QVERIFY(form.write("replicas", "5"));
        QVERIFY(form.write("client.timeout", "2s"));
        const QString text = editor.text();
        QVERIFY(text.contains("  - name: orders\n    replicas: 5\n    workers: 8\n"));
        QVERIFY2(text.contains("    errors: 1%\n    client:\n      timeout: 2s\n\nroutes:"),
                 qPrintable(text));
        QVERIFY(text.startsWith("# A small mesh for the GUI tests: no warmup"));

        // A route written as a one-line flow mapping: the new key goes inside its braces, and
        // the form (whose subject the edit must not change under it) stays on the route.
        const int routeLine = static_cast<int>(
            editor.text().left(editor.text().indexOf("  - {path: /shop")).count('\n'));
        QTextCursor c(editor.editor().document()->findBlockByNumber(routeLine));
        c.movePosition(QTextCursor::Right, QTextCursor::MoveAnchor, 6);
        editor.editor().setTextCursor(c);
        QCOMPARE(topologies::formatPath(form.subject()), std::string("routes[0]"));
        form.field("retries.attempts")->setText("2");
        emit form.field("retries.attempts")->editingFinished();
        QCOMPARE(topologies::formatPath(form.subject()), std::string("routes[0]"));
        QCOMPARE(form.message(), QString());
        QVERIFY2(editor.text().contains(
                     "  - {path: /shop, to: web, timeout: 2s, retries: {attempts: 2}}\n"),
                 qPrintable(editor.text()));

        // The mesh's default policy, written in flow style: its retries grow in place.
        QVERIFY(editor.revealSection("mesh"));
        QCOMPARE(topologies::formatPath(form.subject()), std::string("mesh.defaults"));
        QCOMPARE(form.field("retries.attempts")->text(), QString("2"));
        QVERIFY(form.write("retries.attempts", "0"));
        QVERIFY(form.write("circuit_breaker.max_requests", "100"));
        QVERIFY2(editor.text().contains("    retries: {attempts: 0, per_try_timeout: 500ms"),
                 qPrintable(editor.text()));
        QVERIFY(editor.text().contains("base_ejection_time: 5s, max_ejection_percent: 50%}\n"
                                       "    circuit_breaker:\n      max_requests: 100\n"));
        // The edited text is still a valid scenario; the loader only warns that a library
        // timeout means nothing in a mesh (the sidecars time calls out), where the form wrote it
        QSignalSpy validated(&editor, &ui::ScenarioEditor::validated);
        editor.validateNow();
        QVERIFY(validated.wait(20000));
        QCOMPARE(validated.last().at(0).toBool(), true);
        // (and that route retries are the gateway's, so they mean nothing without one).
        QStringList warned;
        for (const auto& d : editor.diagnostics()) {
            QVERIFY(d.severity == topologies::Diagnostic::Severity::Warning);
            warned << QString::fromStdString(d.path);
        }
        warned.sort();
        QCOMPARE(warned, (QStringList{"routes[0].retries", "services[1].client"}));
    }

    // The event list and the inspector are wired to the window: activating a request's event
    // shows that request in the inspector, and the playback moves to its time.
    void eventsDriveTheInspectorAndTheTime()
    {
        ui::MainWindow w;
        w.setPlatformOverride(m::EngineKind::Fast);
        w.show();
        w.open(kSmallMesh);
        QVERIFY(runToEnd(w));
        QTRY_VERIFY(w.events().shownCount() > 0);
        ui::EventFilter onlyRequests;
        onlyRequests.kind = ui::EventKind::Request;
        w.events().setFilter(onlyRequests);
        QVERIFY(w.events().shownCount() > 10);
        const int pick = w.events().shownCount() / 2;
        const ui::EventRow row = w.events().shownRow(pick);
        w.events().selectShownRow(pick);
        QCOMPARE(w.playback().time(), row.at);
        QCOMPARE(w.inspector().shownRequest(), std::optional<std::uint64_t>(row.request));
        QVERIFY(w.inspector().rowCount() > 1);

        // From a chart: the slowest sampled request answered in the window of 7.5 s, and the first
        // one there that failed (found here from the raw recording).
        const m::Recording& r = *w.session().recording();
        const m::RecordedRequest* slowest = nullptr;
        const m::RecordedRequest* failed = nullptr;
        for (const auto& q : r.requests) {
            const auto& h = q.hops[0];
            if (h.end < 7'000'000'000 || h.end >= 8'000'000'000)
                continue;
            if (!slowest || h.end - h.start > slowest->hops[0].end - slowest->hops[0].start)
                slowest = &q;
            if (h.outcome != m::Outcome::Ok && (!failed || h.end < failed->hops[0].end))
                failed = &q;
        }
        QVERIFY(slowest);
        QVERIFY(w.inspectAnsweredAt(7'500'000'000, false));
        QCOMPARE(w.inspector().shownRequest(), std::optional<std::uint64_t>(slowest->id));
        QCOMPARE(w.inspectAnsweredAt(7'500'000'000, true), failed != nullptr);
        if (failed)
            QCOMPARE(w.inspector().shownRequest(), std::optional<std::uint64_t>(failed->id));
    }

    // A load step from the window: the workload's Poisson arrivals become a `steps` process with
    // the same rate until the step, so the run before it is the same; after it, twice as many
    // requests are sent (within Poisson noise: 150/s over 1 s windows, sd 12; 300/s, sd 17).
    void injectedLoadStepRerunsEqualBeforeTheStep()
    {
        ui::MainWindow w;
        w.setPlatformOverride(m::EngineKind::Fast);
        w.show();
        w.open(kSmallMesh);
        QVERIFY(runToEnd(w));
        const m::Recording before = *w.session().recording();
        QVERIFY(w.injectLoadStep({"shoppers", 10.0, 300.0}));
        QVERIFY2(w.editor().text().contains(
                     "arrival: {process: steps, schedule: [{at: 0s, rate: 150/s}, {at: 10s, "
                     "rate: 300/s}]}"),
                 qPrintable(w.editor().text()));
        QVERIFY(runToEnd(w));
        const m::Recording& after = *w.session().recording();
        sameBefore(before, after, 10);
        if (QTest::currentTestFailed())
            return;
        // Windows 11..19 (the workload is open: faults do not change what it sends): requests
        // sent, against 300/s for 9 s, a Poisson count of mean 2700 and sd sqrt(2700) = 52, so
        // within 4 sd: 2700 +- 208.
        std::uint64_t sent = 0;
        for (std::uint32_t w11 = 11; w11 < 20; ++w11)
            sent += after.routes[0][w11].sent;
        QVERIFY2(sent > 2700 - 208 && sent < 2700 + 208, qPrintable(QString::number(sent)));
        // A workload whose arrivals cannot take a step says why and changes nothing.
        const QString text = w.editor().text();
        QVERIFY(!w.injectLoadStep({"nobody", 5.0, 10.0}));
        QCOMPARE(w.editor().text(), text);
        QVERIFY(w.statusText().contains("no workload named nobody"));
    }

    // A policy change from the window ("turn retries off for orders from 10 s to 15 s"): a
    // `policy` fault in the scenario. The run before it is the same; calls to orders decided from
    // 12 s to 15 s (started after 11 s: the mesh timeout is 1 s) make exactly one try each, where
    // the previous run retried them (5xx are retried, and orders' instance 0 is down until 12 s);
    // from 17 s (started after the change ended) they are retried again (orders fails 60% of its
    // requests from 17 s to 18 s).
    void injectedPolicyChangeTurnsRetriesOff()
    {
        ui::MainWindow w;
        w.setPlatformOverride(m::EngineKind::Fast);
        w.show();
        w.open(kSmallMesh);
        QVERIFY(runToEnd(w));
        const m::Recording before = *w.session().recording();
        ui::FaultRequest policy;
        policy.kind = ui::FaultRequest::Kind::Policy;
        policy.service = "orders";
        policy.retryAttempts = 0;
        policy.atSeconds = 10.0;
        policy.untilSeconds = 15.0;
        w.injectFault(policy);
        QVERIFY(w.editor().text().contains(
            "  - {at: 10s, until: 15s, policy: {service: orders, retries: {attempts: 0}}}"));
        QVERIFY2(runToEnd(w), qPrintable(w.statusText()));
        const m::Recording& after = *w.session().recording();
        sameBefore(before, after, 10);
        if (QTest::currentTestFailed())
            return;
        const auto& view = w.session().info()->view;
        std::uint32_t web = 0, orders = 0;
        for (std::uint32_t c = 0; c < view.components.size(); ++c) {
            if (view.components[c].name == "web")
                web = c;
            if (view.components[c].name == "orders")
                orders = c;
        }
        const auto edge = ui::edgeIndex(after, web, orders);
        QVERIFY(edge);
        // (calls, tries) of an edge over seconds [from, to)
        auto sum = [&](const m::Recording& r, std::uint32_t from, std::uint32_t to) {
            std::pair<std::uint64_t, std::uint64_t> out{0, 0};
            for (std::uint32_t s = from; s < to; ++s) {
                out.first += r.edges[*edge][s].calls.total();
                out.second += r.edges[*edge][s].attempts;
            }
            return out;
        };
        const auto during = sum(after, 12, 15);
        QVERIFY(during.first > 300);
        QCOMPARE(during.second, during.first);
        const auto duringBefore = sum(before, 12, 15);
        QVERIFY2(
            duringBefore.second > duringBefore.first,
            qPrintable(
                QString("%1 tries for %2 calls").arg(duringBefore.second).arg(duringBefore.first)));
        const auto afterwards = sum(after, 17, 19);
        QVERIFY2(
            afterwards.second > afterwards.first,
            qPrintable(
                QString("%1 tries for %2 calls").arg(afterwards.second).arg(afterwards.first)));
    }

    // On SimGrid the run is a child process: it runs the buffer as applied, not the file (a file
    // with 3 orders instances would be refused as "another system" than the 4 drawn), with the
    // scenario's seed.
    void appliedBufferRunsOnSimGrid()
    {
        ui::MainWindow w;
        w.setPlatformOverride(m::EngineKind::SimGrid);
        w.show();
        w.open(kSmallMesh);
        QVERIFY(runToEnd(w, 240000));
        QVERIFY(w.editor().setValue(path({{"services", -1}, {nullptr, 1}, {"replicas", -1}}), "4"));
        w.applyText(w.editor().text());
        QVERIFY2(runToEnd(w, 240000), qPrintable(w.session().message()));
        const auto& orders = (*w.session().results())["services"];
        bool found = false;
        for (const auto& s : orders)
            if (s["name"] == "orders") {
                QCOMPARE(s["replicas"].get<int>(), 4);
                found = true;
            }
        QVERIFY(found);
    }

    // An unsaved buffer survives a crash: the next editor of the same scenario restores it.
    void recoveryRestoresAnUnsavedBuffer()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath("mine.yaml");
        QVERIFY(QFile::copy(kSmallMesh, file));
        QString edited;
        {
            auto* editor = new ui::ScenarioEditor;
            editor->setScenario(file, readAll(file));
            QVERIFY(!editor->recovered());
            editor->editor().moveCursor(QTextCursor::End);
            editor->editor().insertPlainText("# an unsaved thought\n");
            edited = editor->text();
            QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(ui::ScenarioEditor::recoveryPath(file)), 10000);
            // No save, no close: the process "dies" (the widget goes without asking).
            delete editor;
        }
        ui::ScenarioEditor again;
        again.setScenario(file, readAll(file));
        QVERIFY(again.recovered());
        QCOMPARE(again.text(), edited);
        QVERIFY(again.isModified());
        // Saving writes it and retires the recovery file.
        QVERIFY(again.save());
        QCOMPARE(readAll(file), edited);
        QVERIFY(!QFile::exists(ui::ScenarioEditor::recoveryPath(file)));
        ui::ScenarioEditor third;
        third.setScenario(file, readAll(file));
        QVERIFY(!third.recovered());
    }

    // A kill injected from the window goes into the scenario's faults, and the run repeats: up to
    // the fault's time the recording is the previous one, window by window and request by request
    // (same seed, deterministic engine); after it, the killed instance shows.
    void injectedKillRerunsEqualBeforeTheFault()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath("inject.yaml");
        // The small mesh without its own faults, so that the injected one is the first.
        QString text = readAll(kSmallMesh);
        text = text.left(text.indexOf("\nfaults:") + 1) + text.mid(text.indexOf("\nslo:") + 1);
        {
            QFile f(file);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(text.toUtf8());
        }
        ui::MainWindow w;
        w.setPlatformOverride(m::EngineKind::Fast);
        w.show();
        w.open(file);
        QVERIFY2(runToEnd(w),
                 qPrintable(w.statusText() + " "
                            + (w.diagnostics().count() ? w.diagnostics().item(0)->text() : "")));
        const m::Recording before = *w.session().recording();
        w.playback().setTime(9'500'000'000);

        ui::FaultRequest kill;
        kill.kind = ui::FaultRequest::Kind::Kill;
        kill.service = "orders";
        kill.instance = 1;
        kill.atSeconds = 8.0;
        kill.untilSeconds = 15.0;
        w.injectFault(kill);
        QVERIFY(w.editor().text().contains(
            "faults:\n  - {at: 8s, until: 15s, kill: {service: orders, instance: 1}}"));
        QVERIFY(runToEnd(w));
        const m::Recording& after = *w.session().recording();
        QCOMPARE(w.playback().time(), std::int64_t{9'500'000'000}); // the view kept its time
        QVERIFY(w.editor().isModified()); // injected into the buffer, not saved
        QCOMPARE(readAll(file), text);

        // Windows of 1 s: the first 8 hold only what ended before the fault.
        sameBefore(before, after, 8);
        if (QTest::currentTestFailed())
            return;
        // The kill happened in the new run and not in the old one.
        auto killed = [](const m::Recording& r) {
            return std::count_if(r.states.begin(), r.states.end(), [](const m::StateChange& s) {
                return s.kind == m::StateChange::Kind::Killed;
            });
        };
        QCOMPARE(killed(before), 0);
        QCOMPARE(killed(after), 1);
    }
};

QTEST_MAIN(TestEditor)
#include "tst_editor.moc"
