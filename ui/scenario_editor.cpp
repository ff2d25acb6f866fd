#include "ui/scenario_editor.h"

#include "topologies/loader.h"

#include <QAbstractItemView>
#include <QCompleter>
#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QPushButton>
#include <QRegularExpression>
#include <QSaveFile>
#include <QScrollBar>
#include <QStandardPaths>
#include <QSyntaxHighlighter>
#include <QTextBlock>
#include <QToolTip>
#include <QVBoxLayout>

static void initFormatResource()
{
    Q_INIT_RESOURCE(ui_docs);
}

namespace meshsim::ui {

const FormatHelp& formatHelp()
{
    static const FormatHelp help = [] {
        initFormatResource();
        QFile file(":/meshsim/docs/scenario-format.md");
        file.open(QIODevice::ReadOnly);
        return FormatHelp::parse(file.readAll().toStdString());
    }();
    return help;
}

namespace {

constexpr int kValidateDelayMs = 300;
constexpr int kAutosaveDelayMs = 1000;

// Colours that read on the light and the dark palette alike.
class YamlHighlighter : public QSyntaxHighlighter
{
public:
    explicit YamlHighlighter(QTextDocument* doc)
        : QSyntaxHighlighter(doc)
    {
        m_key.setForeground(QColor(0x00, 0x72, 0xB2));
        m_key.setFontWeight(QFont::DemiBold);
        m_comment.setForeground(QColor(0x80, 0x80, 0x80));
        m_comment.setFontItalic(true);
        m_number.setForeground(QColor(0xD5, 0x5E, 0x00));
        m_string.setForeground(QColor(0x00, 0x9E, 0x73));
        m_keyword.setForeground(QColor(0xCC, 0x79, 0xA7));
    }

protected:
    void highlightBlock(const QString& text) override
    {
        static const QRegularExpression kKey(R"((^|[\s{,\-])([A-Za-z_][\w.+-]*)\s*:(?=\s|$))");
        static const QRegularExpression kNumber(
            R"((?<![\w.])-?\d+(\.\d+)?(e-?\d+)?([a-zA-Z%]+(/[a-z]+)?)?(?![\w.]))");
        static const QRegularExpression kString(R"("[^"]*"|'[^']*')");
        static const QRegularExpression kKeyword(R"(\b(true|false|null|unlimited|ideal)\b)");
        for (auto it = kNumber.globalMatch(text); it.hasNext();) {
            const auto m = it.next();
            setFormat(static_cast<int>(m.capturedStart()),
                      static_cast<int>(m.capturedLength()),
                      m_number);
        }
        for (auto it = kKeyword.globalMatch(text); it.hasNext();) {
            const auto m = it.next();
            setFormat(static_cast<int>(m.capturedStart()),
                      static_cast<int>(m.capturedLength()),
                      m_keyword);
        }
        for (auto it = kKey.globalMatch(text); it.hasNext();) {
            const auto m = it.next();
            setFormat(
                static_cast<int>(m.capturedStart(2)), static_cast<int>(m.capturedLength(2)), m_key);
        }
        for (auto it = kString.globalMatch(text); it.hasNext();) {
            const auto m = it.next();
            setFormat(static_cast<int>(m.capturedStart()),
                      static_cast<int>(m.capturedLength()),
                      m_string);
        }
        // A comment: `#` at the start or after a blank (not inside a quoted string).
        bool quoted = false;
        QChar quote;
        for (int i = 0; i < text.size(); ++i) {
            const QChar c = text[i];
            if (quoted) {
                quoted = c != quote;
            } else if (c == '"' || c == '\'') {
                quoted = true;
                quote = c;
            } else if (c == '#' && (i == 0 || text[i - 1].isSpace())) {
                setFormat(i, static_cast<int>(text.size()) - i, m_comment);
                break;
            }
        }
    }

private:
    QTextCharFormat m_key, m_comment, m_number, m_string, m_keyword;
};

std::vector<std::string> linesOf(const QString& text)
{
    std::vector<std::string> lines;
    // One std::string per line, one char per UTF-16 unit, so that columns are the editor's: a
    // non-ASCII character becomes '?', which never matters to the structure.
    for (const QString& line : text.split('\n')) {
        std::string s(static_cast<std::size_t>(line.size()), ' ');
        for (int i = 0; i < line.size(); ++i)
            s[static_cast<std::size_t>(i)]
                = line[i].unicode() < 128 ? static_cast<char>(line[i].unicode()) : '?';
        lines.push_back(std::move(s));
    }
    return lines;
}

} // namespace

// --- ScenarioEditor ------------------------------------------------------------------------------

ScenarioEditor::ScenarioEditor(QWidget* parent)
    : QWidget(parent)
    , m_edit(new YamlTextEdit(this))
    , m_problems(new QListWidget)
    , m_banner(new QLabel)
    , m_discard(new QPushButton(tr("Discard recovered changes")))
    , m_applyButton(new QPushButton(tr("Apply and run")))
{
    setObjectName("scenarioEditor");
    m_edit->setObjectName("scenarioText");
    m_problems->setObjectName("scenarioProblems");
    new YamlHighlighter(m_edit->document());

    auto* bannerRow = new QHBoxLayout;
    m_banner->setWordWrap(true);
    m_banner->setVisible(false);
    m_discard->setVisible(false);
    bannerRow->addWidget(m_banner, 1);
    bannerRow->addWidget(m_discard);
    auto* buttons = new QHBoxLayout;
    m_applyButton->setToolTip(tr("Run the buffer as it is (Ctrl+Return); the file is not saved."));
    buttons->addStretch(1);
    buttons->addWidget(m_applyButton);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(bannerRow);
    layout->addWidget(m_edit, 4);
    layout->addWidget(m_problems, 1);
    layout->addLayout(buttons);
    m_problems->setMaximumHeight(140);

    m_validateTimer.setSingleShot(true);
    m_validateTimer.setInterval(kValidateDelayMs);
    m_autosaveTimer.setSingleShot(true);
    m_autosaveTimer.setInterval(kAutosaveDelayMs);
    connect(&m_validateTimer, &QTimer::timeout, this, &ScenarioEditor::startValidation);
    connect(&m_autosaveTimer, &QTimer::timeout, this, &ScenarioEditor::autosave);
    connect(m_edit, &QPlainTextEdit::textChanged, this, &ScenarioEditor::textChanged);
    connect(m_edit, &QPlainTextEdit::cursorPositionChanged, this, &ScenarioEditor::cursorMoved);
    connect(m_edit->document(),
            &QTextDocument::modificationChanged,
            this,
            &ScenarioEditor::modificationChanged);
    connect(m_applyButton, &QPushButton::clicked, this, [this] { emit applyRequested(text()); });
    connect(m_discard, &QPushButton::clicked, this, [this] {
        setText(m_savedText);
        discardRecovery();
    });
    connect(m_problems, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
        const int line = item->data(Qt::UserRole).toInt();
        const int column = item->data(Qt::UserRole + 1).toInt();
        if (line <= 0)
            return;
        QTextCursor c(m_edit->document()->findBlockByNumber(line - 1));
        c.movePosition(QTextCursor::Right, QTextCursor::MoveAnchor, std::max(0, column - 1));
        m_edit->setTextCursor(c);
        m_edit->setFocus();
    });
    connect(m_problems, &QListWidget::itemClicked, m_problems, &QListWidget::itemActivated);
}

ScenarioEditor::~ScenarioEditor()
{
    // Validation workers only read their own copy of the text; wait for them to finish.
    for (const QPointer<QThread>& t : m_workers)
        if (t)
            t->wait();
}

QString ScenarioEditor::recoveryPath(const QString& spec)
{
    const QString dir
        = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/recovery";
    const QByteArray hash
        = QCryptographicHash::hash(spec.toUtf8(), QCryptographicHash::Sha1).toHex().left(16);
    return dir + "/" + QString::fromLatin1(hash) + ".yaml";
}

void ScenarioEditor::setScenario(const QString& spec, const QString& rawDiskText)
{
    // The buffer being left keeps its recovery file up to the last keystroke.
    if (m_autosaveTimer.isActive()) {
        m_autosaveTimer.stop();
        autosave();
    }
    // The document holds lines, not line endings: a CRLF file is compared (and saved) with LF.
    QString diskText = rawDiskText;
    diskText.replace("\r\n", "\n");
    m_spec = spec;
    m_savedText = diskText;
    m_recovered = false;
    QString shown = diskText;
    QFile recovery(recoveryPath(spec));
    if (recovery.open(QIODevice::ReadOnly)) {
        const QString saved = QString::fromUtf8(recovery.readAll());
        if (saved != diskText) {
            shown = saved;
            m_recovered = true;
        }
    }
    m_edit->setPlainText(shown); // a new document: no undo history of another file
    m_edit->document()->setModified(m_recovered);
    m_banner->setVisible(m_recovered);
    m_discard->setVisible(m_recovered);
    if (m_recovered)
        m_banner->setText(
            tr("Unsaved changes to %1 from %2 were recovered. Save keeps them; discard returns "
               "to the file.")
                .arg(spec, QFileInfo(recovery).lastModified().toString(Qt::ISODate)));
    else
        discardRecovery();
    validateNow();
}

QString ScenarioEditor::text() const
{
    return m_edit->toPlainText();
}

void ScenarioEditor::setText(const QString& text)
{
    QTextCursor c(m_edit->document());
    c.beginEditBlock();
    c.select(QTextCursor::Document);
    c.insertText(text);
    c.endEditBlock();
}

bool ScenarioEditor::isModified() const
{
    return text() != m_savedText;
}

bool ScenarioEditor::save(const QString& path)
{
    QString target = path;
    if (target.isEmpty()) {
        if (m_spec.isEmpty() || m_spec.startsWith("builtin:") || m_spec.startsWith("validation:")) {
            m_error = tr("%1 is built in: choose a file to save it to.").arg(m_spec);
            return false;
        }
        target = m_spec;
    }
    QSaveFile file(target);
    if (!file.open(QIODevice::WriteOnly) || file.write(text().toUtf8()) < 0 || !file.commit()) {
        m_error = tr("Cannot write %1: %2").arg(target, file.errorString());
        return false;
    }
    discardRecovery();
    m_spec = target;
    m_savedText = text();
    m_edit->document()->setModified(false);
    return true;
}

void ScenarioEditor::discardRecovery()
{
    m_autosaveTimer.stop();
    if (!m_spec.isEmpty()) {
        // Newer than every write asked for so far: a write still pending skips itself rather
        // than bring the file back (the lock waits at most for one write under way).
        const std::lock_guard lock(m_recovery->mutex);
        m_recovery->done = ++m_recovery->asked;
        QFile::remove(recoveryPath(m_spec));
    }
    m_recovered = false;
    m_banner->setVisible(false);
    m_discard->setVisible(false);
}

void ScenarioEditor::autosave()
{
    if (m_spec.isEmpty())
        return;
    // Written by a worker (the GUI thread does not wait for the disk), one at a time; a write
    // older than one already done is skipped, so the file ends as the last one asked for.
    const QString path = recoveryPath(m_spec);
    const bool modified = isModified();
    const QByteArray bytes = modified ? text().toUtf8() : QByteArray();
    std::uint64_t ticket = 0;
    {
        const std::lock_guard lock(m_recovery->mutex);
        ticket = ++m_recovery->asked;
    }
    QThread* worker = QThread::create([recovery = m_recovery, ticket, path, modified, bytes] {
        const std::lock_guard lock(recovery->mutex);
        if (ticket <= recovery->done)
            return;
        recovery->done = ticket;
        if (!modified) {
            QFile::remove(path);
            return;
        }
        QDir().mkpath(QFileInfo(path).path());
        QSaveFile file(path);
        if (file.open(QIODevice::WriteOnly)) {
            file.write(bytes);
            file.commit();
        }
    });
    connect(worker, &QThread::finished, worker, &QObject::deleteLater);
    std::erase_if(m_workers, [](const QPointer<QThread>& t) { return t.isNull(); });
    m_workers.emplace_back(worker);
    worker->start();
}

void ScenarioEditor::textChanged()
{
    ++m_generation;
    m_validateTimer.start();
    m_autosaveTimer.start();
}

bool ScenarioEditor::validationPending() const
{
    return m_validatedGeneration != m_generation;
}

void ScenarioEditor::validateNow()
{
    m_validateTimer.stop();
    startValidation();
}

void ScenarioEditor::startValidation()
{
    if (m_validating) {
        m_validateTimer.start(); // one at a time: try again when it is done
        return;
    }
    m_validating = true;
    const std::uint64_t generation = m_generation;
    const std::string source = text().toStdString();
    const std::string name = m_spec.toStdString();
    QThread* worker = QThread::create([this, generation, source, name] {
        topologies::LoadResult result = topologies::loadScenarioText(source, name);
        QMetaObject::invokeMethod(
            this,
            [this, generation, d = std::move(result.diagnostics)]() mutable {
                takeValidation(generation, std::move(d));
            },
            Qt::QueuedConnection);
    });
    connect(worker, &QThread::finished, worker, &QObject::deleteLater);
    std::erase_if(m_workers, [](const QPointer<QThread>& t) { return t.isNull(); });
    m_workers.emplace_back(worker);
    worker->start();
}

void ScenarioEditor::takeValidation(std::uint64_t generation,
                                    std::vector<topologies::Diagnostic> diagnostics)
{
    m_validating = false;
    if (generation != m_generation) {
        startValidation(); // the text changed meanwhile: its own result is what counts
        return;
    }
    m_validatedGeneration = generation;
    m_diagnostics = std::move(diagnostics);
    showDiagnostics();
    emit validated(!topologies::hasErrors(m_diagnostics));
}

std::vector<std::tuple<int, int, int>> ScenarioEditor::underlines() const
{
    std::vector<std::tuple<int, int, int>> out;
    for (const QTextEdit::ExtraSelection& s : m_edit->extraSelections())
        out.emplace_back(s.cursor.block().blockNumber(),
                         s.cursor.selectionStart() - s.cursor.block().position(),
                         s.cursor.selectionEnd() - s.cursor.selectionStart());
    return out;
}

void ScenarioEditor::showDiagnostics()
{
    m_problems->clear();
    QList<QTextEdit::ExtraSelection> marks;
    for (const topologies::Diagnostic& d : m_diagnostics) {
        const bool error = d.severity == topologies::Diagnostic::Severity::Error;
        QString where = d.line > 0 ? QString("%1:%2").arg(d.line).arg(d.column) : QString("—");
        auto* item = new QListWidgetItem(
            QString("%1  %2%3%4")
                .arg(where,
                     error ? tr("error: ") : tr("warning: "),
                     d.path.empty() ? QString() : QString::fromStdString(d.path) + ": ",
                     QString::fromStdString(d.message)));
        item->setData(Qt::UserRole, d.line);
        item->setData(Qt::UserRole + 1, d.column);
        item->setForeground(error ? QColor(0xD5, 0x5E, 0x00) : QColor(0x80, 0x60, 0x00));
        m_problems->addItem(item);
        if (d.line <= 0)
            continue;
        const QTextBlock block = m_edit->document()->findBlockByNumber(d.line - 1);
        if (!block.isValid())
            continue;
        // Underline the word the diagnostic points at (at least one character).
        const QString line = block.text();
        int start = std::clamp(d.column - 1, 0, std::max(0, static_cast<int>(line.size()) - 1));
        int end = start;
        while (end < line.size() && !line[end].isSpace() && line[end] != ',' && line[end] != '}')
            ++end;
        if (end == start)
            end = std::min(static_cast<int>(line.size()), start + 1);
        QTextEdit::ExtraSelection mark;
        mark.cursor = QTextCursor(block);
        mark.cursor.setPosition(block.position() + start);
        mark.cursor.setPosition(block.position() + std::max(end, start + 1),
                                QTextCursor::KeepAnchor);
        mark.format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
        mark.format.setUnderlineColor(error ? QColor(0xD5, 0x5E, 0x00) : QColor(0xE6, 0x9F, 0x00));
        mark.format.setToolTip(QString::fromStdString(d.message));
        marks.append(mark);
    }
    if (m_diagnostics.empty())
        m_problems->addItem(tr("No problems."));
    m_edit->setExtraSelections(marks);
}

const YamlOutline& ScenarioEditor::outline() const
{
    if (!m_outline || m_outlineGeneration != m_generation) {
        m_outline = std::make_unique<YamlOutline>(linesOf(text()));
        m_outlineGeneration = m_generation;
    }
    return *m_outline;
}

void ScenarioEditor::apply(const TextEdit& edit)
{
    const QTextBlock block = m_edit->document()->findBlockByNumber(edit.line);
    const QTextBlock last = m_edit->document()->findBlockByNumber(edit.lastLine());
    if (!block.isValid() || !last.isValid())
        return;
    QTextCursor c(block);
    c.beginEditBlock();
    c.setPosition(block.position() + edit.from);
    c.setPosition(last.position() + edit.to, QTextCursor::KeepAnchor);
    c.insertText(QString::fromStdString(edit.text));
    c.endEditBlock();
    m_edit->setTextCursor(c);
}

bool ScenarioEditor::setValue(const KeyPath& path, const QString& value)
{
    const auto edit = outline().setScalar(path, value.toStdString());
    if (!edit)
        return false;
    apply(*edit);
    return true;
}

bool ScenarioEditor::replaceValue(const KeyPath& path, const QString& value)
{
    const auto edit = outline().replaceValue(path, value.toStdString());
    if (!edit)
        return false;
    apply(*edit);
    return true;
}

bool ScenarioEditor::appendToList(const QString& key, const QStringList& itemLines)
{
    std::vector<std::string> lines;
    for (const QString& l : itemLines)
        lines.push_back(l.toStdString());
    const auto edit = outline().appendToTopList(key.toStdString(), lines);
    if (!edit)
        return false;
    apply(*edit);
    return true;
}

int ScenarioEditor::listSize(const KeyPath& path) const
{
    int n = 0;
    KeyPath item = path;
    item.push_back({{}, 0});
    while (true) {
        item.back().index = n;
        if (!outline().span(item))
            return n;
        ++n;
    }
}

std::optional<QString> ScenarioEditor::valueAt(const KeyPath& path) const
{
    const OutlineEntry* e = outline().find(path);
    if (!e || e->valueLength == 0)
        return std::nullopt;
    return QString::fromStdString(e->value);
}

bool ScenarioEditor::revealService(const QString& name)
{
    for (const OutlineEntry& e : outline().entries())
        if (e.path.size() == 3 && e.path[0].key == "services" && e.path[2].key == "name"
            && QString::fromStdString(e.value) == name) {
            QTextCursor c(m_edit->document()->findBlockByNumber(e.line));
            c.setPosition(c.block().position() + e.keyColumn);
            m_edit->setTextCursor(c);
            m_edit->centerCursor();
            return true;
        }
    return false;
}

bool ScenarioEditor::revealSection(const QString& key)
{
    if (const OutlineEntry* e = outline().find({{key.toStdString(), -1}})) {
        QTextCursor c(m_edit->document()->findBlockByNumber(e->line));
        m_edit->setTextCursor(c);
        m_edit->centerCursor();
        return true;
    }
    return false;
}

KeyPath ScenarioEditor::cursorPath() const
{
    const QTextCursor c = m_edit->textCursor();
    return outline().contextAt(c.blockNumber(), c.positionInBlock());
}

void ScenarioEditor::cursorMoved()
{
    const KeyPath path = cursorPath();
    QString service;
    if (path.size() >= 2 && path[0].key == "services" && path[1].key.empty())
        if (auto name = valueAt({path[0], path[1], {"name", -1}}))
            service = *name;
    if (service != m_lastService) {
        m_lastService = service;
        emit serviceAtCursor(service);
    }
    KeyPath subject;
    if (path.size() >= 2 && (path[0].key == "services" || path[0].key == "routes")
        && path[1].key.empty())
        subject = {path[0], path[1]};
    else if (!path.empty() && path[0].key == "gateway")
        subject = {path[0]};
    else if (path.size() >= 3 && path[0].key == "mesh" && path[1].key == "destinations"
             && path[2].key.empty())
        subject = {path[0], path[1], path[2]};
    else if (!path.empty() && path[0].key == "mesh"
             && (path.size() == 1 || path[1].key == "defaults"))
        subject = {path[0], {"defaults", -1}};
    if (subject != m_lastSubject) {
        m_lastSubject = subject;
        emit subjectAtCursor(subject);
    }
}

QStringList ScenarioEditor::declaredNames(NameKind kind) const
{
    QStringList names;
    for (const OutlineEntry& e : outline().entries()) {
        const auto& p = e.path;
        if (p.empty() || e.value.empty())
            continue;
        const bool match = (kind == NameKind::Service && p.size() == 3 && p[0].key == "services"
                            && p[2].key == "name")
                           || (kind == NameKind::Route && p.size() == 3 && p[0].key == "routes"
                               && p[2].key == "path")
                           || (kind == NameKind::Zone && p.size() == 3 && p[0].key == "platform"
                               && p[1].key == "zones" && p[2].key.empty())
                           || (kind == NameKind::Node && p.size() == 4 && p[0].key == "platform"
                               && p[1].key == "nodes" && p[3].key == "name");
        if (match)
            names.append(QString::fromStdString(e.value));
        // A service's operations are called as `service.operation`.
        if (kind == NameKind::Service && p.size() == 5 && p[0].key == "services"
            && p[2].key == "operations" && p[4].key == "name")
            if (const auto service = valueAt({p[0], p[1], {"name", -1}}))
                names.append(*service + "." + QString::fromStdString(e.value));
    }
    names.removeDuplicates();
    return names;
}

QStringList ScenarioEditor::completionsAtCursor(QString* prefixOut) const
{
    const QTextCursor c = m_edit->textCursor();
    const QString line = c.block().text().left(c.positionInBlock());
    static const QRegularExpression kKeyTyping(R"(^(\s*)((?:-\s+)*)([\w.+-]*)$)");
    static const QRegularExpression kValueTyping(R"(^\s*(?:-\s+)*([\w.+-]+):\s+([^\s#,{}\[\]]*)$)");
    static const QRegularExpression kItemTyping(R"(^\s*-\s+([^\s#:]*)$)");
    const FormatHelp& help = formatHelp();
    QStringList out;
    QString prefix;
    auto names = [&](NameKind kind) {
        if (kind != NameKind::None)
            out += declaredNames(kind);
    };
    if (const auto m = kValueTyping.match(line); m.hasMatch()) {
        prefix = m.captured(2);
        const KeyPath path
            = outline().contextAt(c.blockNumber(), static_cast<int>(m.capturedEnd(1)) - 1);
        const std::string generic = genericPath(path);
        for (const std::string& v : help.valuesFor(generic))
            out.append(QString::fromStdString(v));
        names(help.namesFor(generic));
    } else if (const auto k = kKeyTyping.match(line); k.hasMatch()) {
        prefix = k.captured(3);
        const int keyStart = static_cast<int>(k.capturedStart(3));
        KeyPath parent = outline().contextAt(c.blockNumber(), keyStart);
        // contextAt of a position inside a finished key names the key: its parent is wanted.
        if (const OutlineEntry* e = outline().entryAt(c.blockNumber(), keyStart);
            e && e->keyLength > 0 && !parent.empty())
            parent.pop_back();
        const std::string generic = genericPath(parent);
        for (const std::string& key : help.keysUnder(generic))
            out.append(QString::fromStdString(key) + ": ");
        // A list item of names (`steps: [- catalog]`, `aggregate`, `zones`).
        if (!k.captured(2).isEmpty())
            names(help.namesFor(generic));
    } else if (const auto i = kItemTyping.match(line); i.hasMatch()) {
        prefix = i.captured(1);
    }
    out.removeDuplicates();
    QStringList fitting;
    for (const QString& s : out)
        if (s.startsWith(prefix, Qt::CaseInsensitive) && s != prefix && s != prefix + ": ")
            fitting.append(s);
    if (prefixOut)
        *prefixOut = prefix;
    return fitting;
}

QString ScenarioEditor::helpAt(int line, int column) const
{
    const OutlineEntry* e = outline().entryAt(line, column);
    if (!e)
        return {};
    const std::string generic = genericPath(e->path);
    const FormatHelp& help = formatHelp();
    const bool onValue = e->valueLength > 0 && column >= e->valueColumn;
    if (onValue && e->keyLength > 0)
        if (const FormatRow* row = help.valueHelp(generic, e->value))
            return QString::fromStdString(formatRowHtml(*row));
    if (e->keyLength == 0)
        return {};
    if (const FormatRow* row = help.help(generic))
        return QString::fromStdString(formatRowHtml(*row));
    return {};
}

// --- YamlTextEdit --------------------------------------------------------------------------------

YamlTextEdit::YamlTextEdit(ScenarioEditor* owner)
    : QPlainTextEdit(owner)
    , m_owner(owner)
    , m_completer(new QCompleter(this))
    , m_model(new QStringListModel(this))
{
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    setFont(mono);
    setLineWrapMode(QPlainTextEdit::NoWrap);
    setTabChangesFocus(false);
    m_completer->setModel(m_model);
    m_completer->setWidget(this);
    m_completer->setCompletionMode(QCompleter::PopupCompletion);
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    connect(m_completer,
            qOverload<const QString&>(&QCompleter::activated),
            this,
            &YamlTextEdit::insertCompletion);
}

bool YamlTextEdit::complete()
{
    QString prefix;
    const QStringList items = m_owner->completionsAtCursor(&prefix);
    if (items.isEmpty()) {
        m_completer->popup()->hide();
        return false;
    }
    m_prefix = prefix;
    m_model->setStringList(items);
    m_completer->setCompletionPrefix(QString());
    QRect r = cursorRect();
    r.setWidth(m_completer->popup()->sizeHintForColumn(0)
               + m_completer->popup()->verticalScrollBar()->sizeHint().width() + 8);
    m_completer->complete(r);
    m_completer->popup()->setCurrentIndex(m_completer->completionModel()->index(0, 0));
    return true;
}

void YamlTextEdit::insertCompletion(const QString& completion)
{
    QTextCursor c = textCursor();
    c.beginEditBlock();
    c.movePosition(QTextCursor::Left, QTextCursor::KeepAnchor, static_cast<int>(m_prefix.size()));
    c.insertText(completion);
    c.endEditBlock();
    setTextCursor(c);
}

void YamlTextEdit::keyPressEvent(QKeyEvent* event)
{
    QAbstractItemView* popup = m_completer->popup();
    if (popup->isVisible()) {
        switch (event->key()) {
        case Qt::Key_Enter:
        case Qt::Key_Return:
        case Qt::Key_Tab:
            if (popup->currentIndex().isValid()) {
                insertCompletion(popup->currentIndex().data().toString());
                popup->hide();
                event->accept();
                return;
            }
            break;
        case Qt::Key_Escape:
            popup->hide();
            event->accept();
            return;
        default:
            break;
        }
    }
    if (event->key() == Qt::Key_Space && (event->modifiers() & Qt::ControlModifier)) {
        complete();
        return;
    }
    if ((event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter)
        && (event->modifiers() & Qt::ControlModifier)) {
        emit m_owner->applyRequested(m_owner->text());
        return;
    }
    if (event->key() == Qt::Key_Tab && event->modifiers() == Qt::NoModifier) {
        insertPlainText("  "); // YAML forbids tabs for indentation
        return;
    }
    if ((event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter)
        && (event->modifiers() == Qt::NoModifier || event->modifiers() == Qt::ShiftModifier
            || event->modifiers() == Qt::KeypadModifier)) {
        // Keep the indentation (one level more after `key:` or `- key:` opening a block).
        const QString line = textCursor().block().text().left(textCursor().positionInBlock());
        int indent = 0;
        while (indent < line.size() && line[indent] == ' ')
            ++indent;
        if (line.trimmed().startsWith("- "))
            indent += 2;
        if (line.trimmed().endsWith(':'))
            indent += 2;
        // A new block (Shift+Return would insert a line separator inside the block, which the
        // text and the document would count differently).
        textCursor().insertBlock();
        insertPlainText(QString(indent, ' '));
        return;
    }
    QPlainTextEdit::keyPressEvent(event);
    const QString typed = event->text();
    if (!typed.isEmpty() && (typed[0].isLetterOrNumber() || typed[0] == '_')) {
        complete();
    } else if (popup->isVisible()) {
        popup->hide();
    }
}

bool YamlTextEdit::event(QEvent* event)
{
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const QTextCursor c = cursorForPosition(help->pos());
        const QString text = m_owner->helpAt(c.blockNumber(), c.positionInBlock());
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), text, this);
        return true;
    }
    return QPlainTextEdit::event(event);
}

} // namespace meshsim::ui
