#pragma once

// The form of the scenario editor: the common settings of the service, route, gateway or mesh
// policy the cursor (or the topology's selection) is in — replicas, workers, CPU, timeouts,
// retries, breaker thresholds, the load balancer — as fields. A field shows what the text holds
// (its placeholder: the format's default; its tooltip: the format's description, both from
// docs/scenario-format.md), and writing one changes that value in the text in place, one undo
// step, keeping the file's comments and layout (ScenarioEditor::setValue). The text stays the
// only state: the form reads it again whenever it changes.

#include "ui/scenario_editor.h"

#include <QWidget>

#include <vector>

class QFormLayout;
class QLabel;
class QLineEdit;

namespace meshsim::ui {

class ScenarioForm : public QWidget
{
    Q_OBJECT

public:
    explicit ScenarioForm(ScenarioEditor* editor, QWidget* parent = nullptr);

    // The mapping the fields edit: `services[i]`, `routes[i]`, `gateway`, `mesh.defaults` or
    // `mesh.destinations[i]`; anything else shows no fields.
    void setSubject(const KeyPath& subject);
    const KeyPath& subject() const { return m_subject; }
    // The field of a key below the subject (`replicas`, `retries.attempts`), or null.
    QLineEdit* field(const QString& key) const;
    // Writes a field as if the user typed `value` and pressed Enter; false when the text's
    // structure there cannot take it (the form says why).
    bool write(const QString& key, const QString& value);
    QString message() const;
    void refresh(); // reads the values again from the text

private:
    struct Field
    {
        QString key;         // relative to the subject, dotted
        QString alternative; // used when `key` is written as a mapping (load_balancer.policy)
        QLineEdit* edit = nullptr;
    };
    KeyPath pathOf(const QString& dotted) const;
    void rebuild();

    ScenarioEditor* m_editor;
    KeyPath m_subject;
    QLabel* m_title;
    QLabel* m_message;
    QFormLayout* m_form;
    std::vector<Field> m_fields;
    bool m_writing = false;
};

} // namespace meshsim::ui
