#include "ui/builtin_browser.h"

#include "run/simulation.h"
#include "topologies/builtin_scenarios.h"
#include "topologies/loader.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QMetaObject>
#include <QPointer>
#include <QThread>
#include <QVBoxLayout>

namespace meshsim::ui {

namespace {

QString describeScenario(const std::string& name)
{
    const topologies::LoadResult loaded = topologies::loadScenario("builtin:" + name);
    if (!loaded.ok())
        return QObject::tr("<p>This scenario does not load.</p>");
    const topologies::Scenario& s = *loaded.scenario;
    QString html = QString("<h3>%1</h3><p>%2</p><table>")
                       .arg(QString::fromStdString(s.name).toHtmlEscaped(),
                            QString::fromStdString(s.description).toHtmlEscaped());
    auto row = [&html](const QString& key, const QString& value) {
        html += QString("<tr><td><b>%1</b></td><td>%2</td></tr>").arg(key, value.toHtmlEscaped());
    };
    row(QObject::tr("architecture"),
        QString::fromStdString(topologies::architectureName(s.system.architecture)));
    row(QObject::tr("services"), QString::number(s.system.services.size()));
    row(QObject::tr("routes"), QString::number(s.system.routes.size()));
    row(QObject::tr("duration"), QString::number(run::toSeconds(s.duration), 'g', 6) + " s");
    row(QObject::tr("platform"), QString::fromStdString(topologies::engineName(s.engine)));
    row(QObject::tr("faults"), QString::number(s.system.faults.size()));
    return html + "</table>";
}

} // namespace

BuiltinBrowser::BuiltinBrowser(QWidget* parent)
    : QDialog(parent)
    , m_list(new QListWidget)
    , m_details(new QTextBrowser)
{
    setWindowTitle(tr("Built-in scenarios"));
    resize(760, 420);
    m_list->setObjectName("builtins");
    std::vector<std::string> names = topologies::builtinScenarioNames();
    for (const std::string& name : names)
        m_list->addItem(QString::fromStdString(name));
    auto* panes = new QHBoxLayout;
    panes->addWidget(m_list, 1);
    panes->addWidget(m_details, 2);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Open | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_list, &QListWidget::itemDoubleClicked, this, &QDialog::accept);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(panes);
    layout->addWidget(buttons);

    // The descriptions come from loading each scenario: off the GUI thread (the fan-out has a
    // thousand services).
    for (int i = 0; i < m_list->count(); ++i)
        m_list->item(i)->setData(Qt::UserRole, tr("<p>Reading…</p>"));
    connect(m_list, &QListWidget::currentItemChanged, this, [this](QListWidgetItem* item) {
        m_details->setHtml(item ? item->data(Qt::UserRole).toString() : QString());
    });
    QPointer<BuiltinBrowser> self(this);
    m_reader = QThread::create([self, names] {
        for (const std::string& name : names) {
            const QString html = describeScenario(name);
            QMetaObject::invokeMethod(
                self.data(),
                [self, name, html] {
                    if (self)
                        self->describe(QString::fromStdString(name), html);
                },
                Qt::QueuedConnection);
        }
    });
    m_reader->start();
    const QString preferred = QString::fromUtf8(topologies::kDefaultScenario.data(),
                                                topologies::kDefaultScenario.size())
                                  .mid(QStringLiteral("builtin:").size());
    const auto matches = m_list->findItems(preferred, Qt::MatchExactly);
    m_list->setCurrentItem(matches.isEmpty() ? m_list->item(0) : matches.front());
}

BuiltinBrowser::~BuiltinBrowser()
{
    if (m_reader) {
        m_reader->wait(); // it only reads embedded text: a short wait at most
        delete m_reader;
    }
}

void BuiltinBrowser::describe(const QString& name, const QString& html)
{
    for (QListWidgetItem* item : m_list->findItems(name, Qt::MatchExactly)) {
        item->setData(Qt::UserRole, html);
        if (item == m_list->currentItem())
            m_details->setHtml(html);
    }
}

QString BuiltinBrowser::chosen() const
{
    const QListWidgetItem* item = m_list->currentItem();
    return item ? "builtin:" + item->text() : QString();
}

} // namespace meshsim::ui
