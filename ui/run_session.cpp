#include "ui/run_session.h"

#include "run/results_json.h"
#include "run/simulation.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QMetaObject>
#include <QPointer>
#include <QTimer>

#include <functional>

namespace meshsim::ui {

namespace {

// The worker's observer: posts the recording's new chunks and the progress to the session.
class ThreadObserver final : public run::RunObserver
{
public:
    ThreadObserver(std::function<void(std::vector<std::string>, double, double)> post,
                   std::shared_ptr<std::atomic<bool>> cancel,
                   run::RecordingInfo info)
        : m_post(std::move(post))
        , m_cancel(std::move(cancel))
        , m_follower(std::move(info))
    {}
    void onProgress(const run::Progress& p) override
    {
        std::vector<std::string> chunks;
        if (p.recording)
            chunks = m_follower.since(*p.recording, p.last, p.cancelled);
        m_post(std::move(chunks), run::toSeconds(p.now), run::toSeconds(p.duration));
    }
    bool cancelled() override { return m_cancel->load(std::memory_order_relaxed); }

private:
    std::function<void(std::vector<std::string>, double, double)> m_post;
    std::shared_ptr<std::atomic<bool>> m_cancel;
    run::RecordingFollower m_follower;
};

QString defaultCli()
{
    const QByteArray env = qgetenv("MESHSIM_CLI");
    if (!env.isEmpty())
        return QString::fromLocal8Bit(env);
    return QDir(QCoreApplication::applicationDirPath()).filePath("meshsim-cli");
}

} // namespace

RunSession::RunSession(QObject* parent)
    : QObject(parent)
    , m_cli(defaultCli())
{}

RunSession::~RunSession()
{
    stopCurrent();
    for (Worker& w : m_workers) {
        w.thread->disconnect();
        w.thread->wait();
        delete w.thread;
    }
}

const models::Recording* RunSession::recording() const
{
    if (m_decoder && m_decoder->hasHeader())
        return &m_decoder->recording();
    if (m_reader && m_reader->recording() && m_reader->recording()->hasHeader())
        return &m_reader->recording()->recording();
    return nullptr;
}

const run::RecordingInfo* RunSession::info() const
{
    if (m_decoder && m_decoder->hasHeader())
        return &m_decoder->info();
    if (m_reader && m_reader->recording() && m_reader->recording()->hasHeader())
        return &m_reader->recording()->info();
    return nullptr;
}

void RunSession::stopCurrent()
{
    ++m_generation; // whatever the old run still posts is ignored
    // A worker stops at its next slice (about a hundredth of the run), then is deleted; only
    // the destructor waits for it.
    for (Worker& w : m_workers)
        w.cancel->store(true);
    if (m_child) {
        QProcess* child = m_child.release();
        child->disconnect(this);
        if (child->state() != QProcess::NotRunning) {
            QObject::connect(child, &QProcess::finished, child, &QObject::deleteLater);
            child->terminate(); // the child cancels its run and exits
            QTimer::singleShot(3000, child, [child] { child->kill(); });
        } else {
            child->deleteLater();
        }
    }
}

void RunSession::start(std::shared_ptr<const topologies::Scenario> scenario,
                       models::EngineKind engine,
                       std::optional<QString> text)
{
    stopCurrent();
    m_scenario = std::move(scenario);
    m_text = std::move(text);
    m_engine = engine;
    m_expected = run::makeRecordingInfo(*m_scenario, engine, m_scenario->seed).view;
    m_headerChecked = false;
    m_state = State::Running;
    m_message.clear();
    m_results.reset();
    m_decoder.reset();
    m_reader.reset();
    m_simulated = 0.0;
    m_duration = run::toSeconds(m_scenario->duration);
    m_seenWindows = m_seenRequests = m_seenStates = 0;
    m_seenThreshold = ~std::uint64_t{0};
    if (engine == models::EngineKind::SimGrid)
        startChild(engine);
    else
        startThread(engine);
}

void RunSession::cancel()
{
    if (m_state != State::Running)
        return;
    stopCurrent();
    finish(State::Cancelled,
           tr("The run was cancelled at %1 s of simulated time.").arg(m_simulated, 0, 'f', 1));
}

void RunSession::startThread(models::EngineKind engine)
{
    const std::uint64_t generation = m_generation;
    const auto cancel = std::make_shared<std::atomic<bool>>(false);
    m_decoder.emplace();
    const auto scenario = m_scenario;
    QPointer<RunSession> self(this);
    const auto inbox = std::make_shared<Inbox>();
    auto post
        = [self, generation, inbox](std::vector<std::string> chunks, double now, double duration) {
              const std::lock_guard lock(inbox->mutex);
              for (std::string& c : chunks)
                  inbox->chunks.push_back(std::move(c));
              inbox->simulated = now;
              inbox->duration = duration;
              if (inbox->notified)
                  return;
              inbox->notified = true;
              QMetaObject::invokeMethod(
                  self.data(),
                  [self, generation, inbox] {
                      if (self)
                          self->drain(generation, inbox);
                  },
                  Qt::QueuedConnection);
          };
    const std::uint64_t budget = m_recordBudget;
    QThread* thread = QThread::create(
        [self, generation, scenario, cancel, engine, post, inbox, budget] {
            run::RunOptions options;
            options.engine = engine;
            options.recordBudget = budget;
            const std::uint64_t seed = scenario->seed;
            ThreadObserver observer(post, cancel, run::makeRecordingInfo(*scenario, engine, seed));
            QString error;
            std::optional<nlohmann::ordered_json> results;
            bool cancelled = false;
            try {
                QElapsedTimer wall;
                wall.start();
                const run::RunResult result = run::runScenario(*scenario, options, &observer);
                cancelled = result.cancelled;
                if (!cancelled)
                    results = run::resultsToJson(result, double(wall.nsecsElapsed()) / 1e9);
            } catch (const std::exception& e) {
                error = QString::fromStdString(e.what());
            }
            QMetaObject::invokeMethod(
                self.data(),
                [self, generation, inbox, cancelled, error, results = std::move(results)] {
                    if (!self)
                        return;
                    self->drain(generation, inbox); // whatever came after the last notification
                    self->takeEnd(generation, cancelled, error, results);
                },
                Qt::QueuedConnection);
        });
    m_workers.push_back({thread, cancel});
    QObject::connect(thread, &QThread::finished, this, [this, thread] {
        std::erase_if(m_workers, [thread](const Worker& w) { return w.thread == thread; });
        thread->deleteLater();
    });
    thread->start();
}

void RunSession::drain(std::uint64_t generation, const std::shared_ptr<Inbox>& inbox)
{
    std::vector<std::string> chunks;
    double simulated = 0.0, duration = 0.0;
    {
        const std::lock_guard lock(inbox->mutex);
        chunks.swap(inbox->chunks);
        simulated = inbox->simulated;
        duration = inbox->duration;
        inbox->notified = false;
    }
    if (duration <= 0.0 && chunks.empty())
        return;
    takeChunks(generation, chunks);
    takeProgress(generation, simulated, duration);
}

void RunSession::takeChunks(std::uint64_t generation, const std::vector<std::string>& chunks)
{
    if (generation != m_generation || !m_decoder)
        return;
    for (const std::string& chunk : chunks)
        if (!m_decoder->chunk(chunk))
            break;
    if (m_decoder->failed()) {
        stopCurrent();
        finish(State::Failed,
               tr("The recording could not be read: %1")
                   .arg(QString::fromStdString(*m_decoder->error())));
        return;
    }
    if (!checkHeader())
        return;
    if (!chunks.empty())
        emit recordingGrew();
}

bool RunSession::checkHeader()
{
    const run::RecordingInfo* got = info();
    if (!got || m_headerChecked)
        return true;
    m_headerChecked = true;
    const topologies::SystemView& v = got->view;
    bool same = v.firstTier == m_expected.firstTier
                && v.components.size() == m_expected.components.size()
                && v.instances.size() == m_expected.instances.size()
                && v.nodes.size() == m_expected.nodes.size()
                && v.routes.size() == m_expected.routes.size() && v.edges() == m_expected.edges();
    for (std::size_t c = 0; same && c < v.components.size(); ++c)
        same = v.components[c].name == m_expected.components[c].name
               && v.components[c].kind == m_expected.components[c].kind
               && v.components[c].replicas == m_expected.components[c].replicas
               && v.components[c].firstInstance == m_expected.components[c].firstInstance;
    if (same)
        return true;
    stopCurrent();
    finish(State::Failed,
           tr("The run describes another system than the one drawn: %1 changed on disk since it "
              "was opened. Reload it (F5).")
               .arg(QString::fromStdString(m_scenario->file)));
    return false;
}

void RunSession::takeProgress(std::uint64_t generation, double simulated, double duration)
{
    if (generation != m_generation)
        return;
    m_simulated = simulated;
    m_duration = duration;
    emit progressed(simulated, duration);
}

void RunSession::takeEnd(std::uint64_t generation,
                         bool cancelled,
                         QString error,
                         std::optional<nlohmann::ordered_json> results)
{
    if (generation != m_generation || m_state != State::Running)
        return;
    if (!error.isEmpty())
        return finish(State::Failed, tr("The run failed: %1").arg(error));
    if (cancelled)
        return finish(State::Cancelled, tr("The run was cancelled."));
    m_results = std::move(results);
    finish(State::Finished, {});
}

void RunSession::startChild(models::EngineKind engine)
{
    m_reader.emplace();
    m_child = std::make_unique<QProcess>();
    m_child->setProcessChannelMode(QProcess::SeparateChannels);
    m_child->setStandardErrorFile(QProcess::nullDevice());
    QObject::connect(
        m_child.get(), &QProcess::readyReadStandardOutput, this, &RunSession::readChild);
    QObject::connect(m_child.get(), &QProcess::finished, this, &RunSession::childEnded);
    QObject::connect(m_child.get(), &QProcess::errorOccurred, this, &RunSession::childFailed);
    QString file = QString::fromStdString(m_scenario->file);
    if (m_text) {
        // The scenario as the GUI loaded it, not as the file on disk is.
        m_textFile
            = std::make_unique<QTemporaryFile>(QDir::tempPath() + "/meshsim-run-XXXXXX.yaml");
        if (!m_textFile->open() || m_textFile->write(m_text->toUtf8()) < 0
            || !m_textFile->flush()) {
            m_child.reset();
            finish(State::Failed,
                   tr("Cannot write the scenario for the SimGrid run: %1")
                       .arg(m_textFile->errorString()));
            return;
        }
        file = m_textFile->fileName();
    }
    const QStringList args{"run",
                           file,
                           "--seed",
                           QString::number(m_scenario->seed),
                           "--engine",
                           QString::fromStdString(topologies::engineName(engine)),
                           "--stream",
                           "--stream-recording",
                           "--record-budget",
                           QString::number(m_recordBudget)};
    if (!QFileInfo(m_cli).isExecutable()) {
        m_child.reset();
        finish(State::Failed,
               tr("meshsim-cli, which runs SimGrid, is not at %1 (set MESHSIM_CLI).").arg(m_cli));
        return;
    }
    m_child->start(m_cli, args);
}

void RunSession::readChild()
{
    if (!m_child || !m_reader)
        return;
    const QByteArray bytes = m_child->readAllStandardOutput();
    m_reader->feed(std::string_view(bytes.constData(), static_cast<std::size_t>(bytes.size())));
    const auto& p = m_reader->progress();
    if (p.durationSeconds > 0)
        takeProgress(m_generation, p.simulatedSeconds, p.durationSeconds);
    if (!checkHeader())
        return;
    if (const auto& decoder = m_reader->recording(); decoder && decoder->hasHeader()) {
        const models::Recording& r = decoder->recording();
        if (r.windows != m_seenWindows || r.requests.size() != m_seenRequests
            || r.states.size() != m_seenStates || r.sampleThreshold != m_seenThreshold) {
            m_seenWindows = r.windows;
            m_seenRequests = r.requests.size();
            m_seenStates = r.states.size();
            m_seenThreshold = r.sampleThreshold;
            emit recordingGrew();
        }
    }
    if (m_reader->failed()) {
        const QString error = QString::fromStdString(*m_reader->error());
        stopCurrent();
        finish(State::Failed, tr("The SimGrid run's stream could not be read: %1").arg(error));
    }
}

void RunSession::childEnded(int exitCode, QProcess::ExitStatus status)
{
    if (!m_child || !m_reader)
        return;
    readChild();
    if (!m_child || !m_reader || m_state != State::Running)
        return; // reading it ended the run (a malformed stream, another system)
    const bool crashed = status == QProcess::CrashExit;
    const QString how
        = crashed ? tr("it crashed or was killed") : tr("exit status %1").arg(exitCode);
    m_reader->finish(how.toStdString());
    m_child.release()->deleteLater();
    if (m_reader->cancelled())
        return finish(State::Cancelled, tr("The run was cancelled."));
    if (crashed || m_reader->failed() || m_reader->status() != 0) {
        QString detail = m_reader->error() ? QString::fromStdString(*m_reader->error()) : how;
        return finish(State::Failed,
                      tr("The SimGrid run stopped before its end (%1): %2").arg(how, detail));
    }
    m_results = m_reader->results();
    finish(State::Finished, {});
}

void RunSession::childFailed(QProcess::ProcessError error)
{
    if (error != QProcess::FailedToStart || !m_child)
        return;
    const QString why = m_child->errorString();
    m_child.release()->deleteLater();
    finish(State::Failed, tr("meshsim-cli could not be started (%1): %2").arg(m_cli, why));
}

void RunSession::finish(State state, QString message)
{
    if (m_state != State::Running)
        return;
    m_state = state;
    m_message = std::move(message);
    emit finished();
}

} // namespace meshsim::ui
