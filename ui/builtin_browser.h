#pragma once

// File → Built-in scenarios…: the scenarios shipped inside meshsim, each with its description,
// architecture, duration and platform, read off the GUI thread; Open opens the chosen one.

#include <QDialog>
#include <QListWidget>
#include <QTextBrowser>

namespace meshsim::ui {

class BuiltinBrowser : public QDialog
{
    Q_OBJECT

public:
    explicit BuiltinBrowser(QWidget* parent = nullptr);
    ~BuiltinBrowser() override;

    // "builtin:<name>" of the chosen scenario (empty when none is).
    QString chosen() const;
    QListWidget& list() { return *m_list; }

private:
    void describe(const QString& name, const QString& html);

    QListWidget* m_list;
    QTextBrowser* m_details;
    QThread* m_reader = nullptr;
};

} // namespace meshsim::ui
