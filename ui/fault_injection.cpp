#include "ui/fault_injection.h"

#include "ui/scenario_editor.h"

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
    case FaultRequest::Kind::Policy:
        return "policy";
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
    case FaultRequest::Kind::Policy: {
        QString keys = "service: " + name(f.service);
        if (f.retryAttempts)
            keys += ", retries: {attempts: " + QString::number(*f.retryAttempts) + "}";
        if (f.timeoutMs)
            keys += ", timeout: " + number(*f.timeoutMs) + "ms";
        out += "{" + keys + "}";
        break;
    }
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

// An `at` later than the schedule's last is the caller's to check: the loader says so otherwise.
bool writeLoadStep(ScenarioEditor& editor, const LoadStep& step, QString* why)
{
    auto fail = [why](const QString& reason) {
        if (why)
            *why = reason;
        return false;
    };
    // The workload: by its name, or by its default name `workload-<n>`.
    std::optional<int> index;
    const int workloads = editor.listSize({{"workloads", -1}});
    for (int i = 0; i < workloads && !index; ++i) {
        const auto name = editor.valueAt({{"workloads", -1}, {{}, i}, {"name", -1}});
        if (name.value_or(QString("workload-%1").arg(i + 1)) == step.workload)
            index = i;
    }
    if (!index)
        return fail(QObject::tr("no workload named %1 in the scenario").arg(step.workload));
    const KeyPath arrival{{"workloads", -1}, {{}, *index}, {"arrival", -1}};
    auto at = [&](const char* key) {
        KeyPath p = arrival;
        p.push_back({key, -1});
        return editor.valueAt(p);
    };
    const QString process = at("process").value_or(QString());
    QStringList schedule;
    if (process == "poisson") {
        const KeyPath startPath{{"workloads", -1}, {{}, *index}, {"start", -1}};
        const QString start = editor.valueAt(startPath).value_or("0s");
        schedule << QString("{at: %1, rate: %2}").arg(start, at("rate").value_or(QString()));
    } else if (process == "steps") {
        for (int k = 0;; ++k) {
            KeyPath entry = arrival;
            entry.push_back({"schedule", -1});
            entry.push_back({{}, k});
            KeyPath atKey = entry, rateKey = entry;
            atKey.push_back({"at", -1});
            rateKey.push_back({"rate", -1});
            const auto a = editor.valueAt(atKey);
            const auto r = editor.valueAt(rateKey);
            if (!a || !r)
                break;
            schedule << QString("{at: %1, rate: %2}").arg(*a, *r);
        }
        if (schedule.isEmpty())
            return fail(QObject::tr("the schedule of %1 is not written in a form this can read")
                            .arg(step.workload));
    } else {
        return fail(QObject::tr("%1 has %2 arrivals: only poisson and steps arrivals take a load "
                                "step (change it in the text)")
                        .arg(step.workload, process.isEmpty() ? "unknown" : process));
    }
    schedule
        << QString("{at: %1s, rate: %2/s}").arg(number(step.atSeconds), number(step.ratePerSecond));
    if (!editor.replaceValue(arrival, "{process: steps, schedule: [" + schedule.join(", ") + "]}"))
        return fail(
            QObject::tr("the arrival of %1 cannot be rewritten in place").arg(step.workload));
    return true;
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
    if (proposal.kind == K::Policy) {
        m_setRetries = new QCheckBox(tr("retries"));
        m_setRetries->setChecked(proposal.retryAttempts.has_value());
        m_attempts = new QDoubleSpinBox;
        m_attempts->setDecimals(0);
        m_attempts->setRange(0, 100);
        m_attempts->setValue(proposal.retryAttempts.value_or(0));
        m_attempts->setToolTip(tr("Retries after the first try (0: never retry)"));
        form->addRow(m_setRetries, m_attempts);
        m_setTimeout = new QCheckBox(tr("timeout"));
        m_setTimeout->setChecked(proposal.timeoutMs.has_value());
        m_timeout = new QDoubleSpinBox;
        m_timeout->setRange(0.001, 1e7);
        m_timeout->setSuffix(" ms");
        m_timeout->setValue(proposal.timeoutMs.value_or(1000));
        form->addRow(m_setTimeout, m_timeout);
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
    if (m_setRetries)
        r.retryAttempts = m_setRetries->isChecked()
                              ? std::optional(static_cast<unsigned>(m_attempts->value()))
                              : std::nullopt;
    if (m_setTimeout)
        r.timeoutMs = m_setTimeout->isChecked() ? std::optional(m_timeout->value()) : std::nullopt;
    return r;
}

LoadStepDialog::LoadStepDialog(const LoadStep& proposal, double durationSeconds, QWidget* parent)
    : QDialog(parent)
    , m_step(proposal)
    , m_at(new QDoubleSpinBox)
    , m_rate(new QDoubleSpinBox)
{
    setWindowTitle(tr("Change the load"));
    auto* form = new QFormLayout(this);
    form->addRow(new QLabel("<b>" + proposal.workload.toHtmlEscaped() + "</b>"));
    m_at->setRange(0.0, std::max(durationSeconds * 2, 1.0));
    m_at->setDecimals(3);
    m_at->setSuffix(" s");
    m_at->setValue(proposal.atSeconds);
    form->addRow(tr("From"), m_at);
    m_rate->setRange(0.0, 1e9);
    m_rate->setDecimals(2);
    m_rate->setSuffix(" requests/s");
    m_rate->setValue(proposal.ratePerSecond);
    form->addRow(tr("Rate"), m_rate);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Change and run"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    form->addRow(buttons);
}

LoadStep LoadStepDialog::step() const
{
    LoadStep s = m_step;
    s.atSeconds = m_at->value();
    s.ratePerSecond = m_rate->value();
    return s;
}

} // namespace meshsim::ui
