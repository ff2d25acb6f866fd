#include "app/child_run.h"

#include "run/stream.h"

#include <QFile>
#include <QProcess>

#include <chrono>
#include <memory>

namespace meshsim::app {

QString selfExecutable(const QString& fallback)
{
    const QString self = QFile::symLinkTarget("/proc/self/exe");
    return self.isEmpty() ? fallback : self;
}

namespace {

struct Child
{
    std::size_t index = 0;
    std::unique_ptr<QProcess> process;
    run::StreamReader reader;
    std::chrono::steady_clock::time_point lastOutput;
    QByteArray stderrText;
};

std::string describeExit(const QProcess& p)
{
    if (p.exitStatus() == QProcess::CrashExit)
        return "the simulator crashed";
    return "exit status " + std::to_string(p.exitCode());
}

} // namespace

std::vector<ChildResult> runChildren(const QString& executable,
                                     const std::vector<QStringList>& runs,
                                     int parallel,
                                     int silenceSeconds,
                                     const std::function<void(std::size_t)>& finished)
{
    std::vector<ChildResult> results(runs.size());
    std::vector<std::unique_ptr<Child>> running;
    std::size_t next = 0;
    const auto finish = [&](Child& c, const std::string& problem) {
        ChildResult& r = results[c.index];
        c.reader.feed(c.process->readAllStandardOutput().toStdString());
        c.stderrText += c.process->readAllStandardError();
        if (problem.empty())
            c.reader.finish(describeExit(*c.process));
        if (!problem.empty()) {
            r.error = problem;
        } else if (c.reader.failed()) {
            r.error = *c.reader.error();
        } else if (c.reader.status() != 0 || !c.reader.results()) {
            r.error = "the run failed (" + describeExit(*c.process) + ")";
        } else {
            r.results = *c.reader.results();
        }
        if (!r.results && !c.stderrText.isEmpty())
            r.error += "\n" + c.stderrText.trimmed().toStdString();
        if (finished)
            finished(c.index);
    };
    while (next < runs.size() || !running.empty()) {
        while (next < runs.size() && static_cast<int>(running.size()) < std::max(1, parallel)) {
            auto child = std::make_unique<Child>();
            child->index = next;
            child->process = std::make_unique<QProcess>();
            child->process->start(executable, QStringList{"run", "--stream"} + runs[next]);
            child->lastOutput = std::chrono::steady_clock::now();
            ++next;
            if (!child->process->waitForStarted(30'000)) {
                results[child->index].error = "cannot start " + executable.toStdString();
                if (finished)
                    finished(child->index);
                continue;
            }
            running.push_back(std::move(child));
        }
        for (auto it = running.begin(); it != running.end();) {
            Child& c = **it;
            c.process->waitForReadyRead(running.size() > 1 ? 20 : 200);
            const QByteArray out = c.process->readAllStandardOutput();
            c.stderrText += c.process->readAllStandardError();
            if (!out.isEmpty()) {
                c.reader.feed(
                    std::string_view(out.constData(), static_cast<std::size_t>(out.size())));
                c.lastOutput = std::chrono::steady_clock::now();
            }
            if (c.process->state() == QProcess::NotRunning) {
                finish(c, {});
                it = running.erase(it);
                continue;
            }
            const auto silent = std::chrono::steady_clock::now() - c.lastOutput;
            if (c.reader.failed() || silent > std::chrono::seconds(silenceSeconds)) {
                const std::string problem = c.reader.failed() ? *c.reader.error()
                                                              : "the simulator printed nothing for "
                                                                    + std::to_string(silenceSeconds)
                                                                    + " s and was stopped";
                c.process->kill();
                c.process->waitForFinished(10'000);
                finish(c, problem);
                it = running.erase(it);
                continue;
            }
            ++it;
        }
    }
    return results;
}

} // namespace meshsim::app
