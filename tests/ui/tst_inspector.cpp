// The request inspector, the event list and clicking a particle, on a real run: a small mesh whose
// catalog fails 30% of its requests, behind a mesh policy that retries 5xx twice, with an
// instance killed for a second and outlier detection ejecting hosts. Every request is recorded and
// traced, so the inspector's story of a request can be compared with results.json's trace of the
// same request, and the event filter with counts taken straight from the recording.

#include "run/results_json.h"
#include "run/simulation.h"
#include "tests/support/scenario_text.h"
#include "ui/event_list.h"
#include "ui/particle_index.h"
#include "ui/particle_layer.h"
#include "ui/request_inspector.h"
#include "ui/request_story.h"

#include <QImage>
#include <QPainter>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

#include <algorithm>
#include <bit>
#include <map>
#include <set>

using namespace meshsim;
namespace m = meshsim::models;

namespace {

// web (1 instance) calls catalog (3 instances, 30% of answers are 500s) through the sidecars; the
// mesh policy for catalog retries 5xx twice (three tries at most) with a 10 ms backoff base.
// catalog/0 is killed from 1 s to 2 s (connection failures, UF), and outlier detection ejects
// hosts after 3 consecutive 5xx. Every request is traced (sample 100%) and recorded (the
// recording's budget holds them all).
constexpr const char* kRetries = R"(
meshsim: 1
name: retry-story
duration: 4s
drain: 2s
seed: 3
architecture: mesh
services:
  - {name: web, replicas: 1, workers: 16, cpu: {dist: constant, value: 1ms}, steps: [catalog]}
  - {name: catalog, replicas: 3, workers: 16, cpu: {dist: exponential, mean: 2ms}, errors: 30%}
routes:
  - {path: /books, to: web}
mesh:
  destinations:
    - service: catalog
      retries: {attempts: 2, retry_on: [5xx], backoff: {base: 10ms, max: 50ms}}
      outlier_detection: {consecutive_5xx: 3, interval: 500ms, base_ejection_time: 1s, max_ejection_percent: 50%}
workloads:
  - {name: users, arrival: {process: poisson, rate: 60/s}, mix: [{path: /books}]}
faults:
  - {at: 1s, until: 2s, kill: {service: catalog, instance: 0}}
traces: {sample: 100%, max: 10000}
)";

std::uint32_t componentNamed(const topologies::SystemView& v, const std::string& name)
{
    for (std::uint32_t c = 0; c < v.components.size(); ++c)
        if (v.components[c].name == name)
            return c;
    qFatal("no component %s", name.c_str());
}

std::uint16_t flagsFromText(const std::string& text)
{
    std::uint16_t flags = 0;
    for (const QString& name : QString::fromStdString(text).split(',', Qt::SkipEmptyParts))
        for (std::size_t bit = 0; bit < m::kFlagCount; ++bit)
            if (name
                == QLatin1String(m::flagName(bit).data(),
                                 static_cast<qsizetype>(m::flagName(bit).size())))
                flags |= static_cast<std::uint16_t>(1U << bit);
    return flags;
}

std::vector<const ui::StoryRow*> rowsOfKind(const ui::RequestStory& story, m::HopKind kind)
{
    // In the order the hops began (their index), which is the order the tracer opened spans in.
    std::vector<const ui::StoryRow*> rows;
    for (const ui::StoryRow& r : story.rows)
        if (r.kind == kind)
            rows.push_back(&r);
    std::sort(rows.begin(), rows.end(), [](auto* a, auto* b) { return a->hop < b->hop; });
    return rows;
}

std::vector<const ui::StoryRow*>
childrenOf(const ui::RequestStory& story, const ui::StoryRow& parent, m::HopKind kind)
{
    const auto parentRow = static_cast<std::int32_t>(&parent - story.rows.data());
    std::vector<const ui::StoryRow*> rows;
    for (const ui::StoryRow& r : story.rows)
        if (r.parent == parentRow && r.kind == kind)
            rows.push_back(&r);
    return rows;
}

// The instance a try went to, as its row names it ("try 2 → catalog/1").
QString hostOf(const ui::StoryRow& tryRow)
{
    return QString::fromStdString(tryRow.label).section(QStringLiteral("→ "), 1);
}

bool answered(const m::RecordedRequest& q)
{
    return !q.hops.empty() && q.hops[0].end >= 0;
}

} // namespace

class TestInspector : public QObject
{
    Q_OBJECT

private:
    topologies::Scenario m_scenario;
    run::RunResult m_run;
    nlohmann::ordered_json m_results;
    std::map<std::uint64_t, const nlohmann::ordered_json*> m_traces; // by request id

    const m::Recording& recording() const { return *m_run.recording; }
    const topologies::SystemView& view() const { return m_run.view; }

    // A traced request whose call to catalog was retried, the one with the most tries (the
    // first of them: the recording's order).
    std::uint64_t retriedRequest() const
    {
        std::uint64_t best = 0;
        std::uint64_t bestTries = 1;
        for (const m::RecordedRequest& q : recording().requests) {
            if (!q.complete || !m_traces.count(q.id))
                continue;
            for (const m::RecordedHop& h : q.hops)
                if (h.kind == m::HopKind::Call && (h.detail & 0xFFFFFFFFU) > bestTries) {
                    bestTries = h.detail & 0xFFFFFFFFU;
                    best = q.id;
                }
        }
        return best;
    }

private slots:
    void initTestCase()
    {
        m_scenario = testing::loadOrDie(kRetries, "retry-story.yaml");
        run::RunOptions options;
        options.engine = m::EngineKind::Fast; // in this process, as the GUI's worker runs it
        options.recordBudget = std::uint64_t{256} * 1024 * 1024;
        m_run = run::runScenario(m_scenario, options);
        QVERIFY(m_run.recording);
        m_results = run::resultsToJson(m_run, 0.0);
        for (const auto& trace : m_results["traces"])
            m_traces[trace["request"].get<std::uint64_t>()] = &trace;
        // Every request was recorded (the budget was never exceeded) and traced.
        QCOMPARE(recording().sampleShare(), 1.0);
        QCOMPARE(recording().requests.size(), m_traces.size());
        QVERIFY(recording().requests.size() > 100);
    }

    // The inspector tells the story results.json's trace tells: the same calls with the same
    // outcomes, flags and numbers of tries, the same requests at instances, the same answer.
    void retriedRequestMatchesItsTrace()
    {
        const std::uint64_t id = retriedRequest();
        QVERIFY2(id != 0, "some call to catalog was retried");
        ui::RequestInspector inspector;
        inspector.setData(&recording(), &view());
        QVERIFY(inspector.search(QString::number(id)));
        QCOMPARE(inspector.shownRequest(), std::optional<std::uint64_t>(id));
        const ui::RequestStory& story = *inspector.story();
        const auto& spans = (*m_traces.at(id))["spans"];

        // The client span (span 0) is the request: same outcome.
        QCOMPARE(std::string(m::outcomeName(story.outcome)),
                 spans[0]["outcome"].get<std::string>());

        // The trace's call spans, in the order they were opened, are the story's Call rows in the
        // order their hops began. A trace names a client caller "client" and writes "->"; the
        // story names the workload (users) and writes "→".
        std::vector<const nlohmann::ordered_json*> callSpans, jobSpans;
        std::uint16_t traceFlags = 0;
        for (const auto& span : spans) {
            const auto name = span["name"].get<std::string>();
            if (name.rfind("call ", 0) == 0)
                callSpans.push_back(&span);
            else if (name.rfind("client ", 0) != 0)
                jobSpans.push_back(&span);
        }
        const auto calls = rowsOfKind(story, m::HopKind::Call);
        QCOMPARE(calls.size(), callSpans.size());
        for (std::size_t k = 0; k < calls.size(); ++k) {
            const auto& span = *callSpans[k];
            QString expected = QString::fromStdString(span["name"].get<std::string>());
            expected.replace("->", "→").replace("call client ", "call users ");
            QCOMPARE(QString::fromStdString(calls[k]->label), expected);
            QCOMPARE(std::string(m::outcomeName(calls[k]->outcome)),
                     span["outcome"].get<std::string>());
            QCOMPARE(m::flagsText(calls[k]->flags), span["flags"].get<std::string>());
            traceFlags |= flagsFromText(span["flags"].get<std::string>());
            // Its tries: as many as the trace's attempts, numbered from 1, each to an instance of
            // the callee.
            const auto tries = childrenOf(story, *calls[k], m::HopKind::Try);
            QCOMPARE(tries.size(), span["attempts"].get<std::size_t>());
            const std::string callee = expected.section("→ ", 1).toStdString();
            for (std::size_t t = 0; t < tries.size(); ++t)
                QVERIFY2(
                    tries[t]->label.rfind("try " + std::to_string(t + 1) + " → " + callee + "/", 0)
                        == 0,
                    tries[t]->label.c_str());
            // No hedging and no refusals here: every retry waited one backoff first.
            const auto backoffs = childrenOf(story, *calls[k], m::HopKind::Backoff);
            QCOMPARE(backoffs.size(), tries.size() - 1);
        }
        // The requests at instances: the trace's "<service>/<i>" spans, the story's Job rows.
        const auto jobs = rowsOfKind(story, m::HopKind::Job);
        QCOMPARE(jobs.size(), jobSpans.size());
        for (std::size_t k = 0; k < jobs.size(); ++k) {
            QCOMPARE(jobs[k]->label, "job at " + (*jobSpans[k])["name"].get<std::string>());
            QCOMPARE(std::string(m::outcomeName(jobs[k]->outcome)),
                     (*jobSpans[k])["outcome"].get<std::string>());
        }
        // The request's flags are its calls' flags, as the trace's call spans list them; RX at
        // least, since a call was retried.
        QCOMPARE(story.flags, traceFlags);
        QVERIFY(story.flags & m::kFlagRX);
        QCOMPARE(inspector.flagsText().toStdString(), m::flagsText(traceFlags));
        QVERIFY(inspector.summaryText().contains(
            QString::fromStdString("flags " + m::flagsText(traceFlags))));
        // The Gantt has a row per hop, the request first.
        QCOMPARE(inspector.rowCount(), static_cast<int>(story.rows.size()));
        QCOMPARE(static_cast<std::size_t>(inspector.rowCount()),
                 std::find_if(recording().requests.begin(),
                              recording().requests.end(),
                              [&](const auto& q) { return q.id == id; })
                     ->hops.size());
        QCOMPARE(inspector.rowLabel(0), QStringLiteral("request /books (users)"));
    }

    // Every retry is told as "retry k of n to <host> after a <backoff> ms backoff: <why>", with
    // the backoff the Backoff hop's duration and the reason the previous try's answer.
    void decisionsTellTheRetries()
    {
        const std::uint64_t id = retriedRequest();
        ui::RequestInspector inspector;
        inspector.setData(&recording(), &view());
        QVERIFY(inspector.showRequest(id));
        const ui::RequestStory& story = *inspector.story();
        const QStringList decisions = inspector.decisionTexts();
        const QRegularExpression retry(
            R"(^retry (\d+) of (\d+) to (\S+) after a ([0-9.]+) ms backoff: try (\d+)(.*)$)");
        std::size_t retriesTold = 0;
        for (const ui::StoryRow* call : rowsOfKind(story, m::HopKind::Call)) {
            const auto tries = childrenOf(story, *call, m::HopKind::Try);
            const auto backoffs = childrenOf(story, *call, m::HopKind::Backoff);
            for (std::size_t t = 1; t < tries.size(); ++t) {
                // The decision about try t+1 (counting from 1) of the n = tries.size() made.
                const QString prefix
                    = QStringLiteral("retry %1 of %2 to ").arg(t + 1).arg(tries.size());
                const auto it
                    = std::find_if(decisions.begin(), decisions.end(), [&](const QString& d) {
                          return d.startsWith(prefix);
                      });
                QVERIFY2(it != decisions.end(), qPrintable(decisions.join('\n')));
                const QRegularExpressionMatch match = retry.match(*it);
                QVERIFY2(match.hasMatch(), qPrintable(*it));
                // The host is the try's instance, as its row names it ("try 2 → catalog/1").
                QCOMPARE(match.captured(3), hostOf(*tries[t]));
                // The backoff before it is the one that ended as it started; the text gives its
                // duration in milliseconds to the microsecond.
                const ui::StoryRow* backoff = backoffs[t - 1];
                QCOMPARE(backoff->end, tries[t]->start);
                const double shownNs = match.captured(4).toDouble() * 1e6;
                QVERIFY2(std::abs(shownNs - static_cast<double>(backoff->end - backoff->start))
                             <= 500.0,
                         qPrintable(*it));
                // The reason: the previous try's answer. A 500 from catalog's `errors`, or a
                // connection refused by the killed catalog/0.
                QCOMPARE(match.captured(5).toInt(), static_cast<int>(t));
                const ui::StoryRow& previous = *tries[t - 1];
                const bool reachedTheApp = !childrenOf(story, previous, m::HopKind::Job).empty();
                if (previous.outcome == m::Outcome::ServerError)
                    QCOMPARE(match.captured(6), QStringLiteral(" answered 500 (server_error)"));
                else if (previous.outcome == m::Outcome::ConnectionFailure && !reachedTheApp)
                    QCOMPARE(match.captured(6),
                             QStringLiteral(": %1 refused or reset the connection (instance down)")
                                 .arg(hostOf(previous)));
                else
                    QVERIFY2(match.captured(6).contains(
                                 QString::fromLatin1(m::outcomeName(previous.outcome).data())),
                             qPrintable(*it));
                ++retriesTold;
            }
            // A call whose tries were all spent says so, with URX (its flags have it).
            if (call->flags & m::kFlagURX)
                QVERIFY(std::any_of(decisions.begin(), decisions.end(), [&](const QString& d) {
                    return d.startsWith(
                        QStringLiteral("retries exhausted after %1 tries (URX)").arg(tries.size()));
                }));
        }
        QVERIFY(retriesTold >= 1);
        // The flags are explained one per line.
        QCOMPARE(story.flagNotes.size(), static_cast<std::size_t>(std::popcount(story.flags)));
    }

    // The critical path: its leaves' shares add up to the latency of every request whose path
    // has no gap; in a chain of retries, every try and backoff of the call is on it (the call is
    // covered by try 1, backoff, try 2, ... one after the other).
    void criticalPathSumsToTheLatency()
    {
        std::size_t checked = 0;
        for (const m::RecordedRequest& q : recording().requests) {
            if (!q.complete || !answered(q))
                continue;
            const ui::RequestStory story = ui::tellRequest(q, view());
            if (!story.criticalPath.complete)
                continue;
            std::int64_t sum = 0;
            for (const ui::StoryRow& r : story.rows)
                sum += r.criticalNs;
            QCOMPARE(sum, story.latencyNs());
            QVERIFY(story.rows[0].critical);
            ++checked;
        }
        QVERIFY(checked > recording().requests.size() / 2);

        ui::RequestInspector inspector;
        inspector.setData(&recording(), &view());
        QVERIFY(inspector.showRequest(retriedRequest()));
        const ui::RequestStory& story = *inspector.story();
        const std::vector<int> critical = inspector.criticalRows();
        for (const ui::StoryRow* call : rowsOfKind(story, m::HopKind::Call)) {
            if (childrenOf(story, *call, m::HopKind::Try).size() < 2)
                continue;
            for (const m::HopKind kind : {m::HopKind::Try, m::HopKind::Backoff})
                for (const ui::StoryRow* r : childrenOf(story, *call, kind))
                    QVERIFY2(std::count(critical.begin(),
                                        critical.end(),
                                        static_cast<int>(r - story.rows.data()))
                                 == 1,
                             r->label.c_str());
        }
    }

    // The search finds what it says, and clicking a bar asks for the time the hop started.
    void searchAndClick()
    {
        ui::RequestInspector inspector;
        inspector.setData(&recording(), &view());
        const auto& requests = recording().requests;

        QVERIFY(inspector.search("failed"));
        const auto failed = std::count_if(requests.begin(), requests.end(), [](const auto& q) {
            return answered(q) && q.hops[0].outcome != m::Outcome::Ok;
        });
        QCOMPARE(static_cast<long>(inspector.results().size()), static_cast<long>(failed));

        QVERIFY(inspector.search("URX"));
        for (const std::uint64_t id : inspector.results()) {
            const auto q = std::find_if(
                requests.begin(), requests.end(), [&](const auto& r) { return r.id == id; });
            QVERIFY(std::any_of(q->hops.begin(), q->hops.end(), [](const auto& h) {
                return h.kind == m::HopKind::Call && (h.flags & m::kFlagURX);
            }));
        }

        QVERIFY(inspector.showSlowest());
        std::int64_t slowest = 0;
        for (const auto& q : requests)
            if (answered(q))
                slowest = std::max(slowest, q.hops[0].end - q.hops[0].start);
        QCOMPARE(inspector.story()->latencyNs(), slowest);

        QVERIFY(inspector.search("/books server_error"));
        QVERIFY(!inspector.search("frobnicate"));
        QVERIFY(inspector.searchProblem().contains("frobnicate"));

        QVERIFY(inspector.showRequest(retriedRequest()));
        inspector.resize(1000, 700);
        inspector.show();
        QVERIFY(QTest::qWaitForWindowExposed(&inspector));
        QSignalSpy asked(&inspector, &ui::RequestInspector::timeRequested);
        const ui::RequestStory& story = *inspector.story();
        const auto backoffs = rowsOfKind(story, m::HopKind::Backoff);
        QVERIFY(!backoffs.empty());
        const int row = static_cast<int>(backoffs.front() - story.rows.data());
        ui::GanttChart* gantt = inspector.gantt();
        QTest::mouseClick(gantt, Qt::LeftButton, {}, gantt->barRect(row).center().toPoint());
        QCOMPARE(asked.count(), 1);
        QCOMPARE(asked.front().front().value<std::int64_t>(), backoffs.front()->start);
        QVERIFY(
            QString::fromStdString(backoffs.front()->details).startsWith("backoff before try "));
    }

    // Each filter keeps exactly the rows it names: counted straight from the recording.
    void eventFilterSelectsWhatItSays()
    {
        ui::EventList list;
        list.setData(&recording(), &view());
        const auto& states = recording().states;
        const auto& requests = recording().requests;
        QCOMPARE(list.shownCount(), static_cast<int>(states.size() + requests.size()));
        const std::uint32_t catalog = componentNamed(view(), "catalog");
        const std::uint32_t catalog0 = view().components[catalog].firstInstance; // catalog/0

        const auto check = [&](const ui::EventFilter& filter, long expected, auto&& rowMatches) {
            list.setFilter(filter);
            QCOMPARE(static_cast<long>(list.shownCount()), expected);
            std::int64_t last = -1;
            for (int r = 0; r < list.shownCount(); ++r) {
                const ui::EventRow& row = list.shownRow(r);
                QVERIFY(rowMatches(row));
                QVERIFY(row.at >= last); // in time order
                last = row.at;
            }
        };
        const auto touches = [&](const m::RecordedRequest& q, auto&& place) {
            return std::any_of(
                q.hops.begin(), q.hops.end(), [&](const m::RecordedHop& h) { return place(h.at); });
        };

        // Kills: catalog/0 once.
        ui::EventFilter killed;
        killed.kind = ui::EventKind::Killed;
        const long kills = std::count_if(states.begin(), states.end(), [](const auto& s) {
            return s.kind == m::StateChange::Kind::Killed;
        });
        QCOMPARE(kills, 1L);
        check(killed, kills, [](const ui::EventRow& r) {
            return r.kind == ui::EventKind::Killed && r.where == "catalog/0";
        });

        // Ejections of catalog's hosts (seen by web's sidecar: the component is web, the target
        // catalog): the service filter matches both sides.
        ui::EventFilter ejections;
        ejections.kind = ui::EventKind::Ejection;
        ejections.component = catalog;
        const long ejected = std::count_if(states.begin(), states.end(), [&](const auto& s) {
            return s.kind == m::StateChange::Kind::Ejection
                   && (s.component == catalog || s.target == catalog);
        });
        QVERIFY(ejected > 0);
        check(ejections, ejected, [](const ui::EventRow& r) {
            return r.kind == ui::EventKind::Ejection
                   && r.where.find("-> catalog") != std::string::npos;
        });

        // Requests answered server_error (never a state change).
        ui::EventFilter errors;
        errors.outcome = m::Outcome::ServerError;
        const long serverErrors
            = std::count_if(requests.begin(), requests.end(), [](const auto& q) {
                  return answered(q) && q.hops[0].outcome == m::Outcome::ServerError;
              });
        QVERIFY(serverErrors > 0);
        check(errors, serverErrors, [](const ui::EventRow& r) {
            return r.kind == ui::EventKind::Request && r.outcome == m::Outcome::ServerError;
        });

        // Requests with a call that ran out of retries.
        ui::EventFilter urx;
        urx.flag = m::kFlagURX;
        const long exhausted = std::count_if(requests.begin(), requests.end(), [](const auto& q) {
            return std::any_of(q.hops.begin(), q.hops.end(), [](const auto& h) {
                return h.kind == m::HopKind::Call && (h.flags & m::kFlagURX);
            });
        });
        check(urx, exhausted, [](const ui::EventRow& r) { return (r.flags & m::kFlagURX) != 0; });

        // Requests answered between 1 s and 2 s that went to catalog/0 (the killed instance).
        ui::EventFilter window;
        window.kind = ui::EventKind::Request;
        window.instance = catalog0;
        window.fromNs = 1'000'000'000;
        window.toNs = 2'000'000'000;
        const long inWindow = std::count_if(requests.begin(), requests.end(), [&](const auto& q) {
            const std::int64_t at = answered(q) ? q.hops[0].end : q.hops[0].start;
            return at >= 1'000'000'000 && at <= 2'000'000'000 && touches(q, [&](const m::Place& p) {
                       return p.component == catalog && p.instance == 0;
                   });
        });
        QVERIFY(inWindow > 0);
        check(window, inWindow, [](const ui::EventRow& r) {
            return r.kind == ui::EventKind::Request && r.at >= 1'000'000'000
                   && r.at <= 2'000'000'000;
        });

        // Selecting a request row asks for its time and its request.
        list.setFilter({});
        QSignalSpy times(&list, &ui::EventList::timeRequested);
        QSignalSpy activated(&list, &ui::EventList::requestActivated);
        int requestRow = 0;
        while (list.shownRow(requestRow).kind != ui::EventKind::Request)
            ++requestRow;
        list.selectShownRow(requestRow);
        QCOMPARE(times.count(), 1);
        QCOMPARE(times.front().front().value<std::int64_t>(), list.shownRow(requestRow).at);
        QCOMPARE(activated.count(), 1);
        QCOMPARE(activated.front().front().value<std::uint64_t>(),
                 list.shownRow(requestRow).request);
    }

    // A recording that grows (a run streaming in): new rows are inserted, the model is not
    // reset, and the filter applies to them.
    void eventListFollowsAGrowingRecording()
    {
        m::Recording growing = recording();
        const auto states = growing.states;
        const auto requests = growing.requests;
        growing.states.resize(states.size() / 2);
        growing.requests.resize(requests.size() / 2);
        ui::EventList list;
        list.setData(&growing, &view());
        ui::EventFilter errors;
        errors.outcome = m::Outcome::ServerError;
        list.setFilter(errors);
        const int before = list.shownCount();
        QSignalSpy inserted(list.model(), &QAbstractItemModel::rowsInserted);
        QSignalSpy reset(list.model(), &QAbstractItemModel::modelReset);
        growing.states = states;
        growing.requests = requests;
        list.recordingGrew();
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(reset.count(), 0);
        QCOMPARE(list.model()->rowCount(), static_cast<int>(states.size() + requests.size()));
        const long serverErrors
            = std::count_if(requests.begin(), requests.end(), [](const auto& q) {
                  return answered(q) && q.hops[0].outcome == m::Outcome::ServerError;
              });
        QCOMPARE(static_cast<long>(list.shownCount()), serverErrors);
        QVERIFY(list.shownCount() >= before);
    }

    // Clicking a particle: the request whose particle is drawn there, none far from every one.
    void particleUnderTheClick()
    {
        ui::ParticleIndex index;
        index.update(recording(), view());
        ui::ParticleLayer layer;
        layer.setIndex(&index);
        ui::PlacePositions positions;
        for (std::size_t c = 0; c < view().components.size(); ++c)
            positions.components.push_back(QPointF(300.0 * static_cast<double>(c), 0.0));
        for (const auto& inst : view().instances)
            positions.instances.push_back(
                QPointF(300.0 * inst.component, 120.0 * static_cast<double>(inst.index)));
        layer.setPositions(positions);
        layer.setSceneBounds(QRectF(-100, -100, 1200, 600));
        // An instant with particles: the middle of the first leg of the retried request.
        const auto leg
            = std::find_if(index.legs().begin(), index.legs().end(), [&](const ui::Leg& l) {
                  return l.requestId == retriedRequest() && l.motion == ui::Motion::Travel;
              });
        QVERIFY(leg != index.legs().end());
        layer.setTime((leg->start + leg->end) / 2);
        for (const bool painted : {false, true}) {
            if (painted) { // the positions the last frame drew
                QImage image(1200, 600, QImage::Format_ARGB32_Premultiplied);
                QPainter painter(&image);
                painter.translate(100, 100);
                layer.paint(&painter, nullptr, nullptr);
            }
            const auto particles = layer.particles();
            QVERIFY(!particles.empty());
            // A particle with no other within 3 scene units: a click on it finds its request.
            std::size_t tested = 0;
            for (const auto& p : particles) {
                const bool alone
                    = std::none_of(particles.begin(), particles.end(), [&](const auto& q) {
                          return &q != &p && QLineF(q.at, p.at).length() < 3.0;
                      });
                if (!alone)
                    continue;
                QCOMPARE(layer.requestAt(p.at + QPointF(0.5, 0.5), 2.0),
                         std::optional<std::uint64_t>(p.leg->requestId));
                ++tested;
            }
            QVERIFY(tested > 0);
            QCOMPARE(layer.requestAt(QPointF(-5000, -5000), 10.0), std::nullopt);
        }
    }
};

QTEST_MAIN(TestInspector)
#include "tst_inspector.moc"
