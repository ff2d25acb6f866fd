#include "ui/event_list.h"

#include "engine/core/sim_time.h"
#include "ui/request_story.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>
#include <array>

namespace meshsim::ui {

namespace m = meshsim::models;

namespace {

template <typename T>
bool contains(const std::vector<T>& v, const T& x)
{
    return std::find(v.begin(), v.end(), x) != v.end();
}

template <typename T>
void addUnique(std::vector<T>& v, const T& x)
{
    if (!contains(v, x))
        v.push_back(x);
}

QString secondsText(std::int64_t ns)
{
    return QString::number(static_cast<double>(ns) * 1e-9, 'f', 3); // C locale, as results.json
}

} // namespace

EventKind eventKindOf(m::StateChange::Kind kind)
{
    return static_cast<EventKind>(static_cast<unsigned>(kind) + 1);
}

const char* eventKindName(EventKind kind)
{
    if (kind == EventKind::Request)
        return "request";
    return m::stateKindName(static_cast<m::StateChange::Kind>(static_cast<unsigned>(kind) - 1));
}

bool EventFilter::matches(const EventRow& row) const
{
    if (kind && row.kind != *kind)
        return false;
    if (component && !contains(row.components, *component))
        return false;
    if (instance && !contains(row.instances, *instance))
        return false;
    if (outcome && (row.kind != EventKind::Request || row.outcome != outcome))
        return false;
    if (flag != m::kFlagNone && (row.flags & flag) == 0)
        return false;
    if (fromNs && row.at < *fromNs)
        return false;
    if (toNs && row.at > *toNs)
        return false;
    return true;
}

// --- EventModel -------------------------------------------------------------------------------

EventModel::EventModel(QObject* parent)
    : QAbstractTableModel(parent)
{}

void EventModel::setData(const m::Recording* recording, const topologies::SystemView* view)
{
    beginResetModel();
    m_recording = recording;
    m_view = view;
    m_rows.clear();
    m_states = 0;
    m_requests = 0;
    m_threshold = recording ? recording->sampleThreshold : ~std::uint64_t{0};
    if (m_recording && m_view) {
        for (const m::StateChange& s : m_recording->states)
            m_rows.push_back(stateRow(s));
        for (const m::RecordedRequest& q : m_recording->requests)
            m_rows.push_back(requestRow(q));
        m_states = m_recording->states.size();
        m_requests = m_recording->requests.size();
    }
    endResetModel();
}

void EventModel::update()
{
    if (!m_recording || !m_view)
        return;
    const m::Recording& r = *m_recording;
    if (r.sampleThreshold != m_threshold || r.requests.size() < m_requests
        || r.states.size() < m_states) {
        // The sample shrank: requests left it, and rows are not removed one by one.
        setData(m_recording, m_view);
        return;
    }
    const std::size_t added = (r.states.size() - m_states) + (r.requests.size() - m_requests);
    if (added == 0)
        return;
    const int first = static_cast<int>(m_rows.size());
    beginInsertRows({}, first, first + static_cast<int>(added) - 1);
    for (std::size_t i = m_states; i < r.states.size(); ++i)
        m_rows.push_back(stateRow(r.states[i]));
    for (std::size_t i = m_requests; i < r.requests.size(); ++i)
        m_rows.push_back(requestRow(r.requests[i]));
    m_states = r.states.size();
    m_requests = r.requests.size();
    endInsertRows();
}

std::string EventModel::label(std::uint32_t component, std::uint32_t instance) const
{
    if (component >= m_view->components.size())
        return "?";
    const std::string& name = m_view->components[component].name;
    if (component < m_view->firstTier || instance == m::kNoIndex)
        return name;
    return name + "/" + std::to_string(instance);
}

std::uint32_t EventModel::instanceIndex(std::uint32_t component, std::uint32_t instance) const
{
    if (component >= m_view->components.size() || instance == m::kNoIndex
        || instance >= m_view->components[component].replicas)
        return m::kNoIndex;
    return m_view->components[component].firstInstance + instance;
}

EventRow EventModel::stateRow(const m::StateChange& s) const
{
    // The words of results.json's timeline (models::Metrics::describe), with the view's names.
    EventRow row;
    row.at = engine::toNanos(s.at);
    row.kind = eventKindOf(s.kind);
    const auto name = [&](std::uint32_t c) {
        return c < m_view->components.size() ? m_view->components[c].name : std::string("?");
    };
    switch (s.kind) {
    case m::StateChange::Kind::Breaker:
        row.where = label(s.component, s.instance) + " -> " + name(s.target);
        row.detail = m::breakerStateName(s.breaker);
        break;
    case m::StateChange::Kind::Ejection:
    case m::StateChange::Kind::Return:
        row.where = label(s.component, s.instance) + " -> " + name(s.target);
        row.detail = name(s.target) + "-" + std::to_string(s.host) + " ("
                     + m::ejectionReasonName(s.reason) + ")";
        break;
    case m::StateChange::Kind::NotReady:
    case m::StateChange::Kind::Ready:
        row.where = label(s.component, s.instance);
        row.detail = "readiness probe";
        break;
    case m::StateChange::Kind::Unhealthy:
    case m::StateChange::Kind::Healthy:
        row.where = label(s.component, s.instance);
        row.detail = "active health check";
        break;
    case m::StateChange::Kind::Killed:
    case m::StateChange::Kind::NodeDown:
    case m::StateChange::Kind::Restored:
        row.where = label(s.component, s.instance);
        row.detail = "fault";
        break;
    }
    row.components.push_back(s.component);
    if (s.target != m::kNoIndex)
        addUnique(row.components, s.target);
    if (const std::uint32_t i = instanceIndex(s.component, s.instance); i != m::kNoIndex)
        row.instances.push_back(i);
    if (s.target != m::kNoIndex)
        if (const std::uint32_t i = instanceIndex(s.target, s.host); i != m::kNoIndex)
            addUnique(row.instances, i);
    return row;
}

EventRow EventModel::requestRow(const m::RecordedRequest& q) const
{
    EventRow row;
    row.kind = EventKind::Request;
    row.request = q.id;
    row.route = q.route;
    row.where = q.route < m_view->routes.size() ? m_view->routes[q.route].path
                                                : "route " + std::to_string(q.route);
    std::uint32_t tries = 0;
    for (const m::RecordedHop& h : q.hops) {
        if (h.at.component != m::kNoIndex)
            addUnique(row.components, h.at.component);
        if (const std::uint32_t i = instanceIndex(h.at.component, h.at.instance); i != m::kNoIndex)
            addUnique(row.instances, i);
        if (h.kind == m::HopKind::Call)
            row.flags |= h.flags;
        if (h.kind == m::HopKind::Try)
            ++tries;
    }
    row.detail = "request " + std::to_string(q.id);
    if (!q.hops.empty()) {
        const m::RecordedHop& root = q.hops[0];
        row.at = root.end >= 0 ? root.end : root.start;
        if (root.end >= 0) {
            row.outcome = root.outcome;
            row.detail += ", " + durationText(root.end - root.start);
        } else {
            row.detail += ", not answered";
        }
    }
    row.detail += ", " + std::to_string(tries) + (tries == 1 ? " try" : " tries");
    return row;
}

int EventModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int EventModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EventModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= static_cast<int>(m_rows.size()))
        return {};
    const EventRow& r = m_rows[static_cast<std::size_t>(index.row())];
    switch (role) {
    case TimeNsRole:
        return QVariant::fromValue<qint64>(r.at);
    case RequestIdRole:
        return QVariant::fromValue<quint64>(r.kind == EventKind::Request ? r.request : 0);
    case RowIndexRole:
        return index.row();
    case Qt::TextAlignmentRole:
        if (index.column() == Time)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        break;
    default:
        return {};
    }
    switch (index.column()) {
    case Time:
        return secondsText(r.at);
    case Kind:
        return QString::fromLatin1(eventKindName(r.kind));
    case Where:
        return QString::fromStdString(r.where);
    case Detail:
        return QString::fromStdString(r.detail);
    case Outcome:
        if (r.kind != EventKind::Request)
            return QString();
        return r.outcome ? QString::fromLatin1(m::outcomeName(*r.outcome).data(),
                                               static_cast<int>(m::outcomeName(*r.outcome).size()))
                         : tr("under way");
    case Flags:
        return r.kind == EventKind::Request ? QString::fromStdString(m::flagsText(r.flags))
                                            : QString();
    default:
        return {};
    }
}

QVariant EventModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Time:
        return tr("Time (s)");
    case Kind:
        return tr("Kind");
    case Where:
        return tr("Where");
    case Detail:
        return tr("Detail");
    case Outcome:
        return tr("Outcome");
    case Flags:
        return tr("Flags");
    default:
        return {};
    }
}

// --- EventFilterModel -------------------------------------------------------------------------

EventFilterModel::EventFilterModel(QObject* parent)
    : QSortFilterProxyModel(parent)
{
    setDynamicSortFilter(true);
}

void EventFilterModel::setFilter(const EventFilter& filter)
{
    m_filter = filter;
    invalidateFilter();
}

bool EventFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex&) const
{
    const auto* events = qobject_cast<const EventModel*>(sourceModel());
    if (!events || sourceRow >= events->rowCount())
        return false;
    return m_filter.matches(events->row(sourceRow));
}

bool EventFilterModel::lessThan(const QModelIndex& left, const QModelIndex& right) const
{
    const auto* events = qobject_cast<const EventModel*>(sourceModel());
    if (!events)
        return QSortFilterProxyModel::lessThan(left, right);
    const EventRow& a = events->row(left.row());
    const EventRow& b = events->row(right.row());
    if (left.column() != EventModel::Time) {
        const QString x = sourceModel()->data(left).toString();
        const QString y = sourceModel()->data(right).toString();
        if (x != y)
            return QString::localeAwareCompare(x, y) < 0;
    }
    // By time; equal times keep the model's order (state changes, then requests).
    return a.at != b.at ? a.at < b.at : left.row() < right.row();
}

// --- EventList --------------------------------------------------------------------------------

EventList::EventList(QWidget* parent)
    : QWidget(parent)
    , m_model(new EventModel(this))
    , m_proxy(new EventFilterModel(this))
    , m_table(new QTableView(this))
    , m_kind(new QComboBox(this))
    , m_service(new QComboBox(this))
    , m_instance(new QComboBox(this))
    , m_outcome(new QComboBox(this))
    , m_flag(new QComboBox(this))
    , m_from(new QDoubleSpinBox(this))
    , m_to(new QDoubleSpinBox(this))
    , m_count(new QLabel(this))
{
    m_proxy->setSourceModel(m_model);
    m_proxy->sort(EventModel::Time, Qt::AscendingOrder);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(EventModel::Time, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setWordWrap(false);

    for (QDoubleSpinBox* box : {m_from, m_to}) {
        box->setDecimals(3);
        box->setRange(-1.0, 1e7);
        box->setSingleStep(1.0);
        box->setValue(-1.0);
        box->setSuffix(tr(" s"));
    }
    m_from->setSpecialValueText(tr("from the start"));
    m_to->setSpecialValueText(tr("to the end"));
    m_from->setToolTip(tr("Events at or after this simulated time"));
    m_to->setToolTip(tr("Events at or before this simulated time"));
    fillChoices();

    auto* controls = new QHBoxLayout;
    controls->setContentsMargins(0, 0, 0, 0);
    for (QWidget* w : std::initializer_list<QWidget*>{
             m_kind, m_service, m_instance, m_outcome, m_flag, m_from, m_to})
        controls->addWidget(w);
    controls->addStretch(1);
    controls->addWidget(m_count);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(controls);
    layout->addWidget(m_table, 1);

    for (QComboBox* box : {m_kind, m_service, m_instance, m_outcome, m_flag})
        connect(box, &QComboBox::currentIndexChanged, this, [this] { readControls(); });
    for (QDoubleSpinBox* box : {m_from, m_to})
        connect(box, &QDoubleSpinBox::valueChanged, this, [this] { readControls(); });
    connect(m_table->selectionModel(),
            &QItemSelectionModel::currentRowChanged,
            this,
            [this](const QModelIndex& current) { onCurrentChanged(current); });
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, [this] { showCount(); });
    connect(m_proxy, &QAbstractItemModel::modelReset, this, [this] { showCount(); });
    connect(m_proxy, &QAbstractItemModel::layoutChanged, this, [this] { showCount(); });
    showCount();
}

void EventList::setData(const m::Recording* recording, const topologies::SystemView* view)
{
    m_view = view;
    m_model->setData(recording, view);
    fillChoices();
    readControls();
}

void EventList::recordingGrew()
{
    m_model->update();
    showCount();
}

void EventList::fillChoices()
{
    m_settingControls = true;
    m_kind->clear();
    m_kind->addItem(tr("any kind"), -1);
    for (std::size_t k = 0; k < kEventKindCount; ++k)
        m_kind->addItem(QString::fromLatin1(eventKindName(static_cast<EventKind>(k))),
                        static_cast<int>(k));
    m_service->clear();
    m_service->addItem(tr("any component"), -1);
    m_instance->clear();
    m_instance->addItem(tr("any instance"), -1);
    if (m_view) {
        for (std::size_t c = 0; c < m_view->components.size(); ++c)
            m_service->addItem(QString::fromStdString(m_view->components[c].name),
                               static_cast<int>(c));
        for (std::size_t i = 0; i < m_view->instances.size(); ++i) {
            const auto& inst = m_view->instances[i];
            const std::string& name = inst.component < m_view->components.size()
                                          ? m_view->components[inst.component].name
                                          : std::string("?");
            m_instance->addItem(QString::fromStdString(name + "/" + std::to_string(inst.index)),
                                static_cast<int>(i));
        }
    }
    m_outcome->clear();
    m_outcome->addItem(tr("any outcome"), -1);
    for (std::size_t o = 0; o < m::kOutcomeCount; ++o) {
        const std::string_view name = m::outcomeName(static_cast<m::Outcome>(o));
        m_outcome->addItem(QString::fromLatin1(name.data(), static_cast<int>(name.size())),
                           static_cast<int>(o));
    }
    m_flag->clear();
    m_flag->addItem(tr("any flag"), 0);
    for (std::size_t f = 0; f < m::kFlagCount; ++f) {
        const std::string_view name = m::flagName(f);
        m_flag->addItem(QString::fromLatin1(name.data(), static_cast<int>(name.size())),
                        static_cast<int>(1U << f));
    }
    m_settingControls = false;
}

void EventList::readControls()
{
    if (m_settingControls)
        return;
    EventFilter f;
    if (const int k = m_kind->currentData().toInt(); k >= 0)
        f.kind = static_cast<EventKind>(k);
    if (const int c = m_service->currentData().toInt(); c >= 0)
        f.component = static_cast<std::uint32_t>(c);
    if (const int i = m_instance->currentData().toInt(); i >= 0)
        f.instance = static_cast<std::uint32_t>(i);
    if (const int o = m_outcome->currentData().toInt(); o >= 0)
        f.outcome = static_cast<m::Outcome>(o);
    f.flag = static_cast<std::uint16_t>(m_flag->currentData().toInt());
    if (m_from->value() > m_from->minimum())
        f.fromNs = static_cast<std::int64_t>(m_from->value() * 1e9);
    if (m_to->value() > m_to->minimum())
        f.toNs = static_cast<std::int64_t>(m_to->value() * 1e9);
    m_proxy->setFilter(f);
    showCount();
}

void EventList::setFilter(const EventFilter& filter)
{
    m_settingControls = true;
    const auto pick = [](QComboBox* box, int value) {
        const int at = box->findData(value);
        box->setCurrentIndex(at >= 0 ? at : 0);
    };
    pick(m_kind, filter.kind ? static_cast<int>(*filter.kind) : -1);
    pick(m_service, filter.component ? static_cast<int>(*filter.component) : -1);
    pick(m_instance, filter.instance ? static_cast<int>(*filter.instance) : -1);
    pick(m_outcome, filter.outcome ? static_cast<int>(*filter.outcome) : -1);
    pick(m_flag, static_cast<int>(filter.flag));
    m_from->setValue(filter.fromNs ? static_cast<double>(*filter.fromNs) * 1e-9
                                   : m_from->minimum());
    m_to->setValue(filter.toNs ? static_cast<double>(*filter.toNs) * 1e-9 : m_to->minimum());
    m_settingControls = false;
    // The filter as given (a flag set of several bits, exact nanoseconds), not as the controls
    // can show it.
    m_proxy->setFilter(filter);
    showCount();
}

int EventList::shownCount() const
{
    return m_proxy->rowCount();
}

const EventRow& EventList::shownRow(int r) const
{
    const QModelIndex source = m_proxy->mapToSource(m_proxy->index(r, 0));
    return m_model->row(source.row());
}

void EventList::selectShownRow(int r)
{
    m_table->setCurrentIndex(m_proxy->index(r, 0));
}

void EventList::onCurrentChanged(const QModelIndex& current)
{
    if (!current.isValid())
        return;
    const QModelIndex source = m_proxy->mapToSource(current);
    if (!source.isValid())
        return;
    const EventRow& row = m_model->row(source.row());
    emit timeRequested(row.at);
    if (row.kind == EventKind::Request)
        emit requestActivated(row.request);
}

void EventList::showCount()
{
    m_count->setText(tr("%1 of %2 events").arg(m_proxy->rowCount()).arg(m_model->rowCount()));
}

} // namespace meshsim::ui
