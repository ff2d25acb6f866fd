#pragma once

// Click to inject: a fault chosen on the topology (kill, slow, errors on a service or one of its
// instances; a node down; a partition or a degraded link between zones) becomes an item of the
// scenario's `faults` list, written as docs/scenario-format.md describes it, and the scenario runs
// again. Runs are deterministic, so everything before the fault's time is what the previous run
// showed.

#include <QDialog>
#include <QString>

#include <optional>

class QDoubleSpinBox;
class QLineEdit;
class QCheckBox;
class QComboBox;

namespace meshsim::ui {

struct FaultRequest
{
    enum class Kind { Kill, Slow, Errors, NodeDown, Partition, Degrade, Policy };
    Kind kind = Kind::Kill;
    QString service;                  // kill, slow, errors
    std::optional<unsigned> instance; // one instance of it, else all
    QString node;                     // node_down
    QString zoneA, zoneB;             // partition, degrade (zoneB empty: inside zoneA)
    double atSeconds = 0.0;
    std::optional<double> untilSeconds;
    double factor = 1.0;    // slow
    double latencyMs = 0.0; // slow, degrade
    double rate = 0.5;      // errors: the share of requests answered 500
    QString bandwidth;      // degrade: e.g. "100Mbps" (empty: unchanged)
    // policy: the calls to `service` retry this many times, and/or time out after this long
    std::optional<unsigned> retryAttempts;
    std::optional<double> timeoutMs;
};
const char* faultKindKey(FaultRequest::Kind kind);

// The fault as one line of YAML (a flow mapping, the style of the examples), e.g.
// `{at: 40s, until: 70s, kill: {service: inventory, instance: 0}}`.
QString faultYaml(const FaultRequest& fault);

// A load step: from `atSeconds` on, the workload sends at `ratePerSecond`. Written into the
// scenario by turning the workload's Poisson arrivals into a `steps` process with the same rate
// until then (which draws the same gaps: the run before the step is the same), or by adding a
// change to its `steps` schedule.
struct LoadStep
{
    QString workload; // its name (a client component)
    double atSeconds = 0.0;
    double ratePerSecond = 0.0;
};

class ScenarioEditor;
// Rewrites the workload's `arrival` in the editor's buffer (one undo step); false with the reason
// in `why` when its arrival process cannot take a step (closed, constant, on_off) or the step is
// not after its schedule's last change.
bool writeLoadStep(ScenarioEditor& editor, const LoadStep& step, QString* why);

// Asks for the times and the parameters of a fault whose kind and target are chosen.
class FaultDialog : public QDialog
{
    Q_OBJECT

public:
    FaultDialog(const FaultRequest& proposal, double durationSeconds, QWidget* parent = nullptr);
    FaultRequest request() const;

private:
    FaultRequest m_request;
    QDoubleSpinBox* m_at;
    QCheckBox* m_hasUntil;
    QDoubleSpinBox* m_until;
    QDoubleSpinBox* m_factor = nullptr;
    QDoubleSpinBox* m_latency = nullptr;
    QDoubleSpinBox* m_rate = nullptr;
    QLineEdit* m_bandwidth = nullptr;
    QCheckBox* m_setRetries = nullptr;
    QDoubleSpinBox* m_attempts = nullptr;
    QCheckBox* m_setTimeout = nullptr;
    QDoubleSpinBox* m_timeout = nullptr;
};

// Asks when the load changes and to what rate.
class LoadStepDialog : public QDialog
{
    Q_OBJECT

public:
    LoadStepDialog(const LoadStep& proposal, double durationSeconds, QWidget* parent = nullptr);
    LoadStep step() const;

private:
    LoadStep m_step;
    QDoubleSpinBox* m_at;
    QDoubleSpinBox* m_rate;
};

} // namespace meshsim::ui
