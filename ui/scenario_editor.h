#pragma once

// The scenario editor: the YAML of the open scenario, validated as it is typed (the loader runs in
// a worker thread, a moment after the last keystroke; typing never waits for it), with the
// loader's diagnostics underlined at their line and column and listed below (a click puts the
// cursor there), syntax highlighting, completion of keys and values (the format's keys and
// closed value sets, the scenario's own service, route, zone and node names) and hover help, both
// read from docs/scenario-format.md's tables (ui/format_help.h).
//
// Edits made for the user (a form field, an injected fault) go through the document as one undo
// step each, changing only the characters they must (topologies/yaml_outline.h), so comments and
// layout stay. Apply hands the buffer to the main window, which runs it; the file is written only
// by save(). An unsaved buffer is autosaved to a recovery file (QStandardPaths::AppDataLocation,
// `recovery/`), removed once the buffer is saved or discarded; opening the same scenario after a
// crash restores the buffer and says so.

#include "topologies/diagnostic.h"
#include "topologies/yaml_outline.h"
#include "ui/format_help.h"

#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPointer>
#include <QStringListModel>
#include <QThread>
#include <QTimer>
#include <QWidget>

#include <memory>
#include <mutex>
#include <optional>
#include <vector>

class QCompleter;
class QPushButton;

namespace meshsim::ui {

// The outline of a scenario's text belongs to the scenario language (topologies/); the editor
// works with it.
using topologies::formatPath;
using topologies::genericPath;
using topologies::KeyPath;
using topologies::OutlineEntry;
using topologies::PathStep;
using topologies::TextEdit;
using topologies::YamlOutline;

// The format's help, parsed once from the embedded docs/scenario-format.md.
const FormatHelp& formatHelp();

class YamlTextEdit;

class ScenarioEditor : public QWidget
{
    Q_OBJECT

public:
    explicit ScenarioEditor(QWidget* parent = nullptr);
    ~ScenarioEditor() override;

    // A scenario was opened: `spec` its file path or "builtin:<name>", `diskText` what the file
    // holds. When a recovery file for `spec` holds something else, that is shown instead (the
    // buffer is then modified) and recovered() is true.
    void setScenario(const QString& spec, const QString& diskText);
    QString spec() const { return m_spec; }
    QString text() const;
    void setText(const QString& text); // replaces the buffer as one undoable edit
    bool isModified() const;
    bool recovered() const { return m_recovered; }
    // Writes the buffer to `path` (the spec when empty and it is a file); false with a message.
    bool save(const QString& path = {});
    QString lastError() const { return m_error; }
    void discardRecovery();

    // Sets the scalar at `path` (as the loader's diagnostics name it) to `value`, keeping the
    // rest of the file; false when the file's structure there cannot take it.
    bool setValue(const KeyPath& path, const QString& value);
    // Replaces the whole value of the key at `path` (flow style), keeping the rest of the file.
    bool replaceValue(const KeyPath& path, const QString& value);
    // Appends an item (lines of one YAML mapping, unindented) to the top-level list `key`.
    // False when `key` is written in a way this cannot extend (a scalar, a flow list over
    // several lines).
    bool appendToList(const QString& key, const QStringList& itemLines);
    // How many items the list at `path` has in the text.
    int listSize(const KeyPath& path) const;
    // The current value written at `path`, if any.
    std::optional<QString> valueAt(const KeyPath& path) const;

    // Moves the cursor to the item of a service (`services[i]` whose name is `name`), the
    // `gateway` or `mesh` section; false when the text has none.
    bool revealService(const QString& name);
    bool revealSection(const QString& key);
    // The key path at the cursor.
    KeyPath cursorPath() const;
    // The names the buffer declares (completion reads them).
    QStringList declaredNames(NameKind kind) const;
    // What completion offers at the cursor (and the prefix it would replace).
    QStringList completionsAtCursor(QString* prefix = nullptr) const;
    // The hover help of a text position, as rich text (empty when there is none).
    QString helpAt(int line, int column) const;

    // The last validation: its diagnostics, and whether it is the current text's.
    const std::vector<topologies::Diagnostic>& diagnostics() const { return m_diagnostics; }
    bool validationPending() const;
    QListWidget& problems() { return *m_problems; }
    YamlTextEdit& editor() { return *m_edit; }
    // The ranges underlined: (line, column, length), 0-based.
    std::vector<std::tuple<int, int, int>> underlines() const;
    void validateNow();
    // The recovery file of a spec.
    static QString recoveryPath(const QString& spec);

signals:
    void applyRequested(const QString& text);
    void validated(bool ok);
    // The cursor moved into another service (its name), or out of every service (empty).
    void serviceAtCursor(const QString& name);
    // The section the form edits that the cursor is in (`services[i]`, `routes[i]`, `gateway`,
    // `mesh.defaults`, `mesh.destinations[i]`), or an empty path.
    void subjectAtCursor(const KeyPath& subject);
    void modificationChanged(bool modified);

private:
    void textChanged();
    void startValidation();
    void takeValidation(std::uint64_t generation, std::vector<topologies::Diagnostic> diagnostics);
    void showDiagnostics();
    void autosave();
    void cursorMoved();
    void apply(const TextEdit& edit);
    const YamlOutline& outline() const;

    YamlTextEdit* m_edit;
    QListWidget* m_problems;
    QLabel* m_banner;
    QPushButton* m_discard;
    QPushButton* m_applyButton;
    QTimer m_validateTimer;
    QTimer m_autosaveTimer;
    QString m_spec;
    QString m_savedText; // what the file holds (or held when last saved)
    bool m_recovered = false;
    QString m_error;
    std::vector<topologies::Diagnostic> m_diagnostics;
    std::uint64_t m_generation = 0; // of the text
    std::uint64_t m_validatedGeneration = 0;
    bool m_validating = false;
    std::vector<QPointer<QThread>> m_workers; // waited for on destruction
    // The recovery writes: tickets in the order they were asked for, the newest one done.
    struct RecoveryWrites
    {
        std::mutex mutex;
        std::uint64_t asked = 0;
        std::uint64_t done = 0;
    };
    std::shared_ptr<RecoveryWrites> m_recovery = std::make_shared<RecoveryWrites>();
    QString m_lastService;
    KeyPath m_lastSubject;
    mutable std::unique_ptr<YamlOutline> m_outline; // of the current text, built on demand
    mutable std::uint64_t m_outlineGeneration = ~std::uint64_t{0};
};

// The text edit: highlighting, hover help, completion.
class YamlTextEdit : public QPlainTextEdit
{
    Q_OBJECT

public:
    explicit YamlTextEdit(ScenarioEditor* owner);
    QCompleter* completer() const { return m_completer; }
    // Opens the completion popup at the cursor (what Ctrl+Space does); false when nothing fits.
    bool complete();

protected:
    bool event(QEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;

private:
    void insertCompletion(const QString& completion);

    ScenarioEditor* m_owner;
    QCompleter* m_completer;
    QStringListModel* m_model;
    QString m_prefix;
};

} // namespace meshsim::ui
