#include "ui/scenario_form.h"

#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QVBoxLayout>

namespace meshsim::ui {

namespace {

enum class SubjectKind { None, Service, Route, Gateway, Policy };

SubjectKind kindOf(const KeyPath& p)
{
    if (p.size() == 2 && p[0].key == "services" && p[1].key.empty())
        return SubjectKind::Service;
    if (p.size() == 2 && p[0].key == "routes" && p[1].key.empty())
        return SubjectKind::Route;
    if (p.size() == 1 && p[0].key == "gateway")
        return SubjectKind::Gateway;
    if ((p.size() == 2 && p[0].key == "mesh" && p[1].key == "defaults")
        || (p.size() == 3 && p[0].key == "mesh" && p[1].key == "destinations" && p[2].key.empty()))
        return SubjectKind::Policy;
    return SubjectKind::None;
}

// The fields of each kind of subject: the settings an architect changes most.
std::vector<std::pair<QString, QString>> fieldsOf(SubjectKind kind)
{
    switch (kind) {
    case SubjectKind::Service:
        return {{"replicas", {}},
                {"workers", {}},
                {"queue", {}},
                {"cpu", {}},
                {"errors", {}},
                {"client.timeout", {}},
                {"client.retries.attempts", {}}};
    case SubjectKind::Route:
        return {{"timeout", {}}, {"retries.attempts", {}}, {"retries.per_try_timeout", {}}};
    case SubjectKind::Gateway:
        return {{"replicas", {}},
                {"workers", {}},
                {"queue", {}},
                {"cpu", {}},
                {"load_balancer", "load_balancer.policy"},
                {"rate_limit.rate", {}},
                {"rate_limit.burst", {}}};
    case SubjectKind::Policy:
        return {{"load_balancer", "load_balancer.policy"},
                {"timeout", {}},
                {"retries.attempts", {}},
                {"retries.per_try_timeout", {}},
                {"circuit_breaker.max_connections", {}},
                {"circuit_breaker.max_pending_requests", {}},
                {"circuit_breaker.max_requests", {}},
                {"outlier_detection.consecutive_5xx", {}},
                {"outlier_detection.base_ejection_time", {}}};
    case SubjectKind::None:
        break;
    }
    return {};
}

QString plain(const std::string& markdown)
{
    QString s = QString::fromStdString(markdown);
    s.remove('`');
    return s;
}

} // namespace

ScenarioForm::ScenarioForm(ScenarioEditor* editor, QWidget* parent)
    : QWidget(parent)
    , m_editor(editor)
    , m_title(new QLabel)
    , m_message(new QLabel)
    , m_form(new QFormLayout)
{
    setObjectName("scenarioForm");
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(m_title);
    layout->addLayout(m_form);
    m_message->setWordWrap(true);
    layout->addWidget(m_message);
    layout->addStretch(1);
    m_title->setText(tr("Put the cursor in a service, a route, the gateway or a mesh policy (or "
                        "select a node) to edit its common settings here."));
    m_title->setWordWrap(true);
    connect(editor, &ScenarioEditor::subjectAtCursor, this, &ScenarioForm::setSubject);
    connect(&editor->editor(), &QPlainTextEdit::textChanged, this, [this] {
        if (!m_writing)
            refresh();
    });
}

KeyPath ScenarioForm::pathOf(const QString& dotted) const
{
    KeyPath p = m_subject;
    for (const QString& k : dotted.split('.'))
        p.push_back({k.toStdString(), -1});
    return p;
}

void ScenarioForm::setSubject(const KeyPath& subject)
{
    // While a field writes, the edit moves the editor's cursor: the fields stay what they are.
    if (m_writing || (subject == m_subject && !m_fields.empty()))
        return;
    m_subject = kindOf(subject) == SubjectKind::None ? KeyPath{} : subject;
    rebuild();
}

void ScenarioForm::rebuild()
{
    while (m_form->rowCount() > 0)
        m_form->removeRow(0);
    m_fields.clear();
    m_message->clear();
    const SubjectKind kind = kindOf(m_subject);
    if (kind == SubjectKind::None)
        return;
    QString title = QString::fromStdString(formatPath(m_subject));
    if (kind == SubjectKind::Service || kind == SubjectKind::Route)
        if (auto name = m_editor->valueAt(pathOf(kind == SubjectKind::Service ? "name" : "path")))
            title += " — " + *name;
    m_title->setText("<b>" + title.toHtmlEscaped() + "</b>");
    const FormatHelp& help = formatHelp();
    for (const auto& [key, alternative] : fieldsOf(kind)) {
        auto* edit = new QLineEdit;
        edit->setObjectName("field:" + key);
        if (const FormatRow* row = help.help(genericPath(pathOf(key)))) {
            edit->setPlaceholderText(plain(row->defaultValue));
            edit->setToolTip(QString::fromStdString(formatRowHtml(*row)));
        }
        m_fields.push_back({key, alternative, edit});
        m_form->addRow(key, edit);
        connect(edit, &QLineEdit::editingFinished, this, [this, key = key, edit] {
            write(key, edit->text());
        });
    }
    refresh();
}

void ScenarioForm::refresh()
{
    for (const Field& f : m_fields) {
        auto value = m_editor->valueAt(pathOf(f.key));
        if (!value && !f.alternative.isEmpty())
            value = m_editor->valueAt(pathOf(f.alternative));
        if (!f.edit->hasFocus())
            f.edit->setText(value.value_or(QString()));
    }
}

QLineEdit* ScenarioForm::field(const QString& key) const
{
    for (const Field& f : m_fields)
        if (f.key == key)
            return f.edit;
    return nullptr;
}

bool ScenarioForm::write(const QString& key, const QString& value)
{
    const auto it = std::find_if(
        m_fields.begin(), m_fields.end(), [&](const Field& f) { return f.key == key; });
    if (it == m_fields.end())
        return false;
    const QString v = value.trimmed();
    const QString alternative = it->alternative;
    QLineEdit* edit = it->edit;
    auto current = m_editor->valueAt(pathOf(key));
    if (!current && !alternative.isEmpty())
        current = m_editor->valueAt(pathOf(alternative));
    if (v.isEmpty() || current == v)
        return true; // nothing to write (a key is removed in the text, not here)
    m_writing = true;
    bool ok = m_editor->setValue(pathOf(key), v);
    if (!ok && !alternative.isEmpty())
        ok = m_editor->setValue(pathOf(alternative), v);
    m_writing = false;
    edit->setText(v);
    m_message->setText(
        ok ? QString()
           : tr("%1 is written in a form the form cannot change in place (a mapping, or a list "
                "over several lines): change it in the text.")
                 .arg(QString::fromStdString(formatPath(pathOf(key)))));
    refresh();
    return ok;
}

QString ScenarioForm::message() const
{
    return m_message->text();
}

} // namespace meshsim::ui
