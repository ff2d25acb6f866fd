#pragma once

// One run of a scenario in the background, streaming its recording into the GUI as it goes.
//
// The fast platform runs in a worker thread; the SimGrid platform (one engine per process) in a
// child process, `meshsim-cli run --stream --stream-recording` (docs/stream-protocol.md). Either
// way the recording arrives as chunks (run/recording_file.h) that are decoded here, on the GUI
// thread, into one models::Recording: the GUI reads nothing else. Nothing here ever waits for the
// run: the worker posts its chunks, the child's output is read when it is there.
//
// start() again, or cancel(), abandons the run under way (a cancelled thread stops at its next
// slice; a child is terminated, then killed). Destroying the session cancels and waits for the
// worker to reach its next slice.

#include "models/recording.h"
#include "run/recording_file.h"
#include "run/stream.h"
#include "topologies/scenario.h"

#include <QObject>
#include <QProcess>
#include <QString>
#include <QTemporaryFile>
#include <QThread>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace meshsim::ui {

class RunSession : public QObject
{
    Q_OBJECT

public:
    enum class State { Idle, Running, Finished, Failed, Cancelled };

    explicit RunSession(QObject* parent = nullptr);
    ~RunSession() override;

    // The meshsim-cli that runs SimGrid children (default: beside this executable, or the
    // MESHSIM_CLI environment variable).
    void setCliExecutable(const QString& path) { m_cli = path; }
    QString cliExecutable() const { return m_cli; }

    // Memory the recording may take; the sample of requests drawn adapts to it (models/recorder.h).
    static constexpr std::uint64_t kDefaultRecordBudget = std::uint64_t{256} * 1024 * 1024;
    void setRecordBudget(std::uint64_t bytes) { m_recordBudget = bytes; }

    // `text`: the scenario's YAML when it is not the file's (an editor's buffer, a design of a
    // comparison): a SimGrid child runs a copy of it (in a temporary file) instead of the file.
    // The child always runs with the scenario's seed.
    void start(std::shared_ptr<const topologies::Scenario> scenario,
               models::EngineKind engine,
               std::optional<QString> text = std::nullopt);
    void cancel();

    State state() const { return m_state; }
    bool running() const { return m_state == State::Running; }
    models::EngineKind engine() const { return m_engine; }
    // Why the run failed or what ended it, in words.
    QString message() const { return m_message; }
    double simulatedSeconds() const { return m_simulated; }
    double durationSeconds() const { return m_duration; }
    // The recording so far (null before its header has come).
    const models::Recording* recording() const;
    const run::RecordingInfo* info() const;
    // The run's results.json object, once it has finished.
    const std::optional<nlohmann::ordered_json>& results() const { return m_results; }
    std::shared_ptr<const topologies::Scenario> scenario() const { return m_scenario; }
    // The system the GUI drew for this run (from the scenario it loaded).
    const topologies::SystemView& expectedView() const { return m_expected; }
    // The child process of a SimGrid run (null otherwise): tests kill it.
    QProcess* child() const { return m_child.get(); }

signals:
    void recordingGrew();
    void progressed(double simulatedSeconds, double durationSeconds);
    void finished();

private:
    void startThread(models::EngineKind engine);
    void startChild(models::EngineKind engine);
    void takeChunks(std::uint64_t generation, const std::vector<std::string>& chunks);
    void takeProgress(std::uint64_t generation, double simulated, double duration);
    void takeEnd(std::uint64_t generation,
                 bool cancelled,
                 QString error,
                 std::optional<nlohmann::ordered_json> results);
    void readChild();
    void childEnded(int exitCode, QProcess::ExitStatus status);
    void childFailed(QProcess::ProcessError error);
    void finish(State state, QString message);
    // The recording's header describes the system the GUI drew; false (and the run failed) when
    // it does not (the file changed on disk between loading it and the child reading it).
    bool checkHeader();
    void stopCurrent();

    // What a worker has sent and the GUI thread has not taken yet. The worker notifies once per
    // batch, so a burst of reports costs the GUI one update, not one per report.
    struct Inbox
    {
        std::mutex mutex;
        std::vector<std::string> chunks;
        double simulated = 0.0;
        double duration = 0.0;
        bool notified = false;
    };
    struct Worker
    {
        QThread* thread;
        std::shared_ptr<std::atomic<bool>> cancel;
    };
    void drain(std::uint64_t generation, const std::shared_ptr<Inbox>& inbox);

    QString m_cli;
    std::uint64_t m_recordBudget = kDefaultRecordBudget;
    std::shared_ptr<const topologies::Scenario> m_scenario;
    topologies::SystemView m_expected; // the system as the GUI loaded it
    bool m_headerChecked = false;
    models::EngineKind m_engine = models::EngineKind::Fast;
    State m_state = State::Idle;
    QString m_message;
    double m_simulated = 0.0;
    double m_duration = 0.0;
    std::uint64_t m_generation = 0;
    std::optional<nlohmann::ordered_json> m_results;

    // fast: the worker and its cancel flag; the chunks are decoded here
    // Workers still running (an abandoned run stops at its next slice); the destructor waits.
    std::vector<Worker> m_workers;
    std::optional<run::RecordingDecoder> m_decoder;

    // simgrid: the child and its stream
    std::unique_ptr<QProcess> m_child;
    std::optional<QString> m_text;
    std::unique_ptr<QTemporaryFile> m_textFile; // what the child reads, while it runs
    std::optional<run::StreamReader> m_reader;
    std::uint64_t m_seenWindows = 0, m_seenRequests = 0, m_seenStates = 0;
    std::uint64_t m_seenThreshold = 0;
};

} // namespace meshsim::ui
