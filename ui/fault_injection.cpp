#include "ui/fault_injection.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>

namespace meshsim::ui {

const char* faultKindKey(FaultRequest::Kind kind)
{
    switch (kind) {
    case FaultRequest::Kind::Kill:
        return "kill";
    case FaultRequest::Kind::Slow:
        return "slow";
    case FaultRequest::Kind::Errors:
        return "errors";
    case FaultRequest::Kind::NodeDown:
        return "node_down";
    case FaultRequest::Kind::Partition:
        return "partition";
    case FaultRequest::Kind::Degrade:
        return "degrade";
    }
    return "kill";
}

namespace {

// A number without trailing zeros ("40", "2.5"), as a user writes it.
QString number(double v)
{
    return QString::number(v, 'g', 12);
}

// A name as a YAML plain scalar, quoted when it would not read back as itself.
QString name(const QString& s)
{
    static const QString kPlain
        = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./";
    for (const QChar c : s)
        if (!kPlain.contains(c))
            return '"' + QString(s).replace('\\', "\\\\").replace('"', "\\\"") + '"';
    return s.isEmpty() ? QString("\"\"") : s;
}

} // namespace

QString faultYaml(const FaultRequest& f)
{
    QString out = "{at: " + number(f.atSeconds) + "s";
    if (f.untilSeconds)
        out += ", until: " + number(*f.untilSeconds) + "s";
    out += ", " + QString(faultKindKey(f.kind)) + ": ";
    auto target = [&] {
        QString t = "service: " + name(f.service);
        if (f.instance)
            t += ", instance: " + QString::number(*f.instance);
        return t;
    };
    switch (f.kind) {
    case FaultRequest::Kind::Kill:
        out += "{" + target() + "}";
        break;
    case FaultRequest::Kind::Slow: {
        QString keys = target();
        if (f.factor != 1.0 || f.latencyMs <= 0.0)
            keys += ", factor: " + number(f.factor);
        if (f.latencyMs > 0.0)
            keys += ", latency: " + number(f.latencyMs) + "ms";
        out += "{" + keys + "}";
        break;
    }
    case FaultRequest::Kind::Errors:
        out += "{" + target() + ", rate: " + number(f.rate * 100.0) + "%}";
        break;
    case FaultRequest::Kind::NodeDown:
        out += name(f.node);
        break;
    case FaultRequest::Kind::Partition:
        out += "[" + name(f.zoneA) + ", " + name(f.zoneB) + "]";
        break;
    case FaultRequest::Kind::Degrade: {
        QString keys
            = "zones: [" + name(f.zoneA) + (f.zoneB.isEmpty() ? "" : ", " + name(f.zoneB)) + "]";
        if (f.latencyMs > 0.0)
            keys += ", latency: " + number(f.latencyMs) + "ms";
        if (!f.bandwidth.isEmpty())
            keys += ", bandwidth: " + f.bandwidth;
        out += "{" + keys + "}";
        break;
    }
    }
    return out + "}";
}

FaultDialog::FaultDialog(const FaultRequest& proposal, double durationSeconds, QWidget* parent)
    : QDialog(parent)
    , m_request(proposal)
    , m_at(new QDoubleSpinBox)
    , m_hasUntil(new QCheckBox(tr("until")))
    , m_until(new QDoubleSpinBox)
{
    setWindowTitle(tr("Inject a fault"));
    auto* form = new QFormLayout(this);
    QString what = QString(faultKindKey(proposal.kind));
    if (!proposal.service.isEmpty())
        what += " " + proposal.service
                + (proposal.instance ? "/" + QString::number(*proposal.instance) : QString());
    if (!proposal.node.isEmpty())
        what += " " + proposal.node;
    if (!proposal.zoneA.isEmpty())
        what += " " + proposal.zoneA + (proposal.zoneB.isEmpty() ? "" : " ↔ " + proposal.zoneB);
    form->addRow(new QLabel("<b>" + what.toHtmlEscaped() + "</b>"));
    const double horizon = std::max(durationSeconds * 2, 1.0);
    m_at->setRange(0.0, horizon);
    m_at->setDecimals(3);
    m_at->setSuffix(" s");
    m_at->setValue(proposal.atSeconds);
    form->addRow(tr("From"), m_at);
    m_until->setRange(0.001, horizon);
    m_until->setDecimals(3);
    m_until->setSuffix(" s");
    m_until->setValue(proposal.untilSeconds.value_or(std::min(horizon, proposal.atSeconds + 10)));
    m_hasUntil->setChecked(proposal.untilSeconds.has_value());
    m_until->setEnabled(m_hasUntil->isChecked());
    connect(m_hasUntil, &QCheckBox::toggled, m_until, &QWidget::setEnabled);
    form->addRow(m_hasUntil, m_until);
    using K = FaultRequest::Kind;
    if (proposal.kind == K::Slow) {
        m_factor = new QDoubleSpinBox;
        m_factor->setRange(0.001, 1e6);
        m_factor->setValue(proposal.factor);
        m_factor->setPrefix("× ");
        form->addRow(tr("CPU work"), m_factor);
    }
    if (proposal.kind == K::Slow || proposal.kind == K::Degrade) {
        m_latency = new QDoubleSpinBox;
        m_latency->setRange(0.0, 1e7);
        m_latency->setSuffix(" ms");
        m_latency->setValue(proposal.latencyMs);
        form->addRow(tr("Added latency"), m_latency);
    }
    if (proposal.kind == K::Errors) {
        m_rate = new QDoubleSpinBox;
        m_rate->setRange(0.0, 100.0);
        m_rate->setSuffix(" %");
        m_rate->setValue(proposal.rate * 100);
        form->addRow(tr("Error rate"), m_rate);
    }
    if (proposal.kind == K::Degrade) {
        m_bandwidth = new QLineEdit(proposal.bandwidth);
        m_bandwidth->setPlaceholderText(tr("unchanged (e.g. 100Mbps)"));
        form->addRow(tr("Bandwidth"), m_bandwidth);
    }
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Inject and run"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    form->addRow(buttons);
}

FaultRequest FaultDialog::request() const
{
    FaultRequest r = m_request;
    r.atSeconds = m_at->value();
    r.untilSeconds = m_hasUntil->isChecked()
                         ? std::optional(std::max(m_until->value(), r.atSeconds + 0.001))
                         : std::nullopt;
    if (m_factor)
        r.factor = m_factor->value();
    if (m_latency)
        r.latencyMs = m_latency->value();
    if (m_rate)
        r.rate = m_rate->value() / 100.0;
    if (m_bandwidth)
        r.bandwidth = m_bandwidth->text().trimmed();
    return r;
}

} // namespace meshsim::ui
