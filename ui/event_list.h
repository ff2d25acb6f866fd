#pragma once

// The event list: every state change of a run (breakers, ejections and returns, readiness, health
// checks, kills, nodes down, restores; worded as results.json's timeline words them,
// docs/results-format.md) and the answer to every sampled request (its time, route, outcome and
// the response flags of its calls), in one table that filters by kind, service, instance,
// outcome, flag and time range.
//
// EventModel reads a Recording (models/recording.h) that may grow while a run streams in:
// update() appends the new state changes and answers without resetting the views; when the
// sample shrank (requests were dropped) it starts over. EventFilterModel sorts by time and
// filters with an EventFilter. EventList is the widget: the filter controls over a table; picking
// a row says which time (and which request) it is about. GUI thread only; the recording and the
// view belong to the caller and must outlive the model or be replaced with setData().

#include "models/recording.h"
#include "topologies/system_view.h"

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>
#include <QWidget>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QTableView;

namespace meshsim::ui {

// What an event is: a request's answer or a kind of state change.
enum class EventKind : std::uint8_t {
    Request,
    Breaker,
    Ejection,
    Return,
    NotReady,
    Ready,
    Unhealthy,
    Healthy,
    Killed,
    NodeDown,
    Restored,
};
inline constexpr std::size_t kEventKindCount = 11;
EventKind eventKindOf(models::StateChange::Kind kind);
// "request", or the state change's name in results.json ("circuit_breaker", "ejection", ...).
const char* eventKindName(EventKind kind);

struct EventRow
{
    std::int64_t at = 0; // ns: the change, or the request's answer (its start if unanswered)
    EventKind kind = EventKind::Request;
    std::string where;  // results.json's `where`; a request's route path
    std::string detail; // results.json's `detail`; a request's id and latency
    // The components and instances (SystemView::instances indices) it concerns: who saw a change
    // and whom it is about; every place a request's hops went.
    std::vector<std::uint32_t> components;
    std::vector<std::uint32_t> instances;
    // Requests only.
    std::optional<models::Outcome> outcome; // none: not answered when the recording ended
    std::uint16_t flags = models::kFlagNone;
    std::uint64_t request = 0;
    std::uint32_t route = 0;
};

// A row is shown when it passes every filter that is set.
struct EventFilter
{
    std::optional<EventKind> kind;
    std::optional<std::uint32_t> component; // SystemView component
    std::optional<std::uint32_t> instance;  // SystemView::instances index
    std::optional<models::Outcome> outcome; // requests answered so (state changes never pass)
    std::uint16_t flag = models::kFlagNone; // requests with this flag (any of these bits)
    std::optional<std::int64_t> fromNs;     // at >= fromNs
    std::optional<std::int64_t> toNs;       // at <= toNs

    bool matches(const EventRow& row) const;
};

class EventModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Time, Kind, Where, Detail, Outcome, Flags, ColumnCount };
    enum Role {
        TimeNsRole = Qt::UserRole + 1, // qint64
        RequestIdRole,                 // quint64, 0 for state changes
        RowIndexRole,                  // int: the row in this model (through a proxy)
    };

    explicit EventModel(QObject* parent = nullptr);

    // Starts over with this recording and view (either may be null: an empty list).
    void setData(const models::Recording* recording, const topologies::SystemView* view);
    // The recording grew: appends what is new (or starts over when the sample shrank).
    void update();

    const EventRow& row(int r) const { return m_rows[static_cast<std::size_t>(r)]; }
    const std::vector<EventRow>& rows() const { return m_rows; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    EventRow stateRow(const models::StateChange& change) const;
    EventRow requestRow(const models::RecordedRequest& request) const;
    std::string label(std::uint32_t component, std::uint32_t instance) const;
    std::uint32_t instanceIndex(std::uint32_t component, std::uint32_t instance) const;

    const models::Recording* m_recording = nullptr;
    const topologies::SystemView* m_view = nullptr;
    std::vector<EventRow> m_rows;
    std::size_t m_states = 0;   // state changes read
    std::size_t m_requests = 0; // requests read
    std::uint64_t m_threshold = ~std::uint64_t{0};
};

class EventFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    explicit EventFilterModel(QObject* parent = nullptr);

    void setFilter(const EventFilter& filter);
    const EventFilter& filter() const { return m_filter; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
    EventFilter m_filter;
};

class EventList : public QWidget
{
    Q_OBJECT

public:
    explicit EventList(QWidget* parent = nullptr);

    void setData(const models::Recording* recording, const topologies::SystemView* view);
    // The recording grew: new rows appear, the selection and the scroll position stay.
    void recordingGrew();

    // Sets the filter (and the controls to match it).
    void setFilter(const EventFilter& filter);
    EventFilter filter() const { return m_proxy->filter(); }

    // The rows shown, in their order on screen.
    int shownCount() const;
    const EventRow& shownRow(int r) const;
    // Selects a shown row, as a click does.
    void selectShownRow(int r);

    EventModel* model() const { return m_model; }
    EventFilterModel* proxy() const { return m_proxy; }
    QTableView* table() const { return m_table; }

signals:
    void timeRequested(std::int64_t timeNs);
    void requestActivated(std::uint64_t requestId);

private:
    void fillChoices();
    void readControls();
    void onCurrentChanged(const QModelIndex& current);
    void showCount();

    const topologies::SystemView* m_view = nullptr;
    EventModel* m_model = nullptr;
    EventFilterModel* m_proxy = nullptr;
    QTableView* m_table = nullptr;
    QComboBox* m_kind = nullptr;
    QComboBox* m_service = nullptr;
    QComboBox* m_instance = nullptr;
    QComboBox* m_outcome = nullptr;
    QComboBox* m_flag = nullptr;
    QDoubleSpinBox* m_from = nullptr; // seconds; at its minimum: no bound
    QDoubleSpinBox* m_to = nullptr;
    QLabel* m_count = nullptr;
    bool m_settingControls = false;
};

} // namespace meshsim::ui
