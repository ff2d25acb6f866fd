// docs/first-scenario.md as a reader follows it: each YAML block whose first line names a file
// (`# shop.yaml`, or `# shop.yaml (append)`) is written (or appended) to a fresh directory, each
// `meshsim-cli` line of a `sh` block is run there in order and must succeed, and every line of
// the `text` block after it must appear in what the last command printed. The page cannot drift
// from what meshsim does.

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

namespace {

struct Block
{
    QString language;
    QStringList lines;
};

std::vector<Block> blocksOf(const QString& markdown)
{
    std::vector<Block> blocks;
    bool inside = false;
    for (const QString& line : markdown.split('\n')) {
        if (line.startsWith("```")) {
            if (inside) {
                inside = false;
            } else {
                inside = true;
                blocks.push_back({line.mid(3).trimmed(), {}});
            }
            continue;
        }
        if (inside)
            blocks.back().lines << line;
    }
    return blocks;
}

} // namespace

class TestWalkthrough : public QObject
{
    Q_OBJECT

private slots:
    void everySnippetRunsAsShown()
    {
        QFile page(QString::fromLocal8Bit(qgetenv("MESHSIM_SOURCE_DIR"))
                   + "/docs/first-scenario.md");
        QVERIFY(page.open(QIODevice::ReadOnly));
        const std::vector<Block> blocks = blocksOf(QString::fromUtf8(page.readAll()));
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        int files = 0;
        int commands = 0;
        int checkedLines = 0;
        QString lastOutput;
        static const QRegularExpression kFileLine(R"(^# (\S+\.yaml)( \(append\))?$)");
        for (const Block& block : blocks) {
            if (block.language == "yaml") {
                const auto match = kFileLine.match(block.lines.value(0));
                QVERIFY2(match.hasMatch(), "a YAML block starts with the file it is: # NAME.yaml");
                QFile file(dir.filePath(match.captured(1)));
                const bool append = !match.captured(2).isEmpty();
                QVERIFY(file.open(append ? QIODevice::Append : QIODevice::WriteOnly));
                file.write(block.lines.join('\n').toUtf8());
                file.write("\n");
                ++files;
            } else if (block.language == "sh") {
                for (const QString& line : block.lines) {
                    if (!line.startsWith("meshsim-cli "))
                        continue;
                    QProcess p;
                    p.setWorkingDirectory(dir.path());
                    p.start(QStringLiteral(MESHSIM_CLI),
                            line.mid(12).split(' ', Qt::SkipEmptyParts));
                    QVERIFY(p.waitForFinished(120'000));
                    lastOutput = QString::fromUtf8(p.readAllStandardOutput());
                    QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0,
                             qPrintable(line + ": " + QString::fromUtf8(p.readAllStandardError())));
                    ++commands;
                }
            } else if (block.language == "text") {
                for (const QString& expected : block.lines) {
                    if (expected.trimmed().isEmpty())
                        continue;
                    QVERIFY2(
                        lastOutput.contains(expected),
                        qPrintable("not in the output:\n" + expected + "\noutput:\n" + lastOutput));
                    ++checkedLines;
                }
            }
        }
        // The page as written: the file, its second version and its fault; six commands.
        QCOMPARE(files, 3);
        QCOMPARE(commands, 6);
        QVERIFY(checkedLines >= 15);
    }
};

QTEST_GUILESS_MAIN(TestWalkthrough)
#include "tst_walkthrough.moc"
