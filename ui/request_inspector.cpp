#include "ui/request_inspector.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QHelpEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMouseEvent>
#include <QPainter>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace meshsim::ui {

namespace m = meshsim::models;

namespace {

constexpr double kRightMargin = 16.0;
constexpr double kIndent = 12.0;

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

// A round step for axis ticks at least `raw` long: 1, 2 or 5 times a power of ten.
std::int64_t niceStep(double raw)
{
    if (raw <= 1.0)
        return 1;
    const double decade = std::pow(10.0, std::floor(std::log10(raw)));
    for (const double k : {1.0, 2.0, 5.0, 10.0})
        if (k * decade >= raw)
            return static_cast<std::int64_t>(k * decade);
    return static_cast<std::int64_t>(10.0 * decade);
}

} // namespace

// --- GanttChart -------------------------------------------------------------------------------

GanttChart::GanttChart(QWidget* parent)
    : QWidget(parent)
{
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void GanttChart::setStory(const RequestStory* story)
{
    m_story = story;
    updateGeometry();
    resize(width(), sizeHint().height());
    update();
}

void GanttChart::setTheme(const Theme& theme)
{
    m_theme = theme;
    updateGeometry();
    update();
}

double GanttChart::rowHeight() const
{
    return std::ceil(fontMetrics().height() * 1.45);
}

double GanttChart::headerHeight() const
{
    return std::ceil(fontMetrics().height() * 1.6);
}

double GanttChart::labelWidth() const
{
    // Wide enough for most labels, never more than 45% of the chart.
    double widest = 120.0;
    if (m_story)
        for (const StoryRow& r : m_story->rows)
            widest = std::max(
                widest, r.depth * kIndent + fontMetrics().horizontalAdvance(qs(r.label)) + 12.0);
    return std::min(widest, std::max(120.0, width() * 0.45));
}

std::int64_t GanttChart::spanNs() const
{
    if (!m_story)
        return 1;
    return std::max<std::int64_t>(1, m_story->lastNs() - m_story->start);
}

double GanttChart::xOf(std::int64_t timeNs) const
{
    const double left = labelWidth();
    const double plot = std::max(10.0, width() - left - kRightMargin);
    const std::int64_t origin = m_story ? m_story->start : 0;
    return left + plot * static_cast<double>(timeNs - origin) / static_cast<double>(spanNs());
}

int GanttChart::rowAt(const QPoint& pos) const
{
    if (!m_story || pos.y() < headerHeight())
        return -1;
    const auto r = static_cast<int>((pos.y() - headerHeight()) / rowHeight());
    return r < static_cast<int>(m_story->rows.size()) ? r : -1;
}

QRectF GanttChart::barRect(int row) const
{
    if (!m_story || row < 0 || row >= static_cast<int>(m_story->rows.size()))
        return {};
    const StoryRow& r = m_story->rows[static_cast<std::size_t>(row)];
    const double left = xOf(r.start);
    const double right = xOf(r.end >= 0 ? r.end : m_story->lastNs());
    const double h = rowHeight();
    const double y = headerHeight() + row * h;
    return QRectF(left, y + h * 0.2, std::max(3.0, right - left), h * 0.6);
}

QSize GanttChart::sizeHint() const
{
    const int rows = m_story ? static_cast<int>(m_story->rows.size()) : 0;
    return {800, static_cast<int>(headerHeight() + rows * rowHeight() + 4)};
}

QSize GanttChart::minimumSizeHint() const
{
    return {400, sizeHint().height()};
}

bool GanttChart::event(QEvent* event)
{
    if (event->type() == QEvent::ToolTip) {
        const auto* help = static_cast<QHelpEvent*>(event);
        const int r = rowAt(help->pos());
        if (r >= 0)
            QToolTip::showText(
                help->globalPos(), qs(m_story->rows[static_cast<std::size_t>(r)].details), this);
        else
            QToolTip::hideText();
        return true;
    }
    return QWidget::event(event);
}

void GanttChart::mousePressEvent(QMouseEvent* event)
{
    const int r = rowAt(event->position().toPoint());
    if (r >= 0 && event->button() == Qt::LeftButton)
        emit rowClicked(r);
    QWidget::mousePressEvent(event);
}

void GanttChart::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), m_theme.background);
    if (!m_story || m_story->rows.empty()) {
        p.setPen(m_theme.mutedText);
        p.drawText(rect(), Qt::AlignCenter, tr("No request shown"));
        return;
    }
    const auto& rows = m_story->rows;
    const double header = headerHeight();
    const double h = rowHeight();
    const double labels = labelWidth();
    const double bottom = header + static_cast<double>(rows.size()) * h;

    // Stripes, then the time axis: ticks in round milliseconds from the request's start.
    QColor stripe = m_theme.zoneFill;
    for (std::size_t r = 1; r < rows.size(); r += 2)
        p.fillRect(QRectF(0, header + static_cast<double>(r) * h, width(), h), stripe);
    const double plot = std::max(10.0, width() - labels - kRightMargin);
    const std::int64_t step = niceStep(static_cast<double>(spanNs()) / std::max(1.0, plot / 90.0));
    p.setPen(QPen(m_theme.edgeIdle, 1.0));
    for (std::int64_t t = 0; t <= spanNs(); t += step) {
        const double x = xOf(m_story->start + t);
        p.setPen(QPen(m_theme.edgeIdle, 1.0));
        p.drawLine(QPointF(x, header - 4), QPointF(x, bottom));
        p.setPen(m_theme.mutedText);
        p.drawText(QRectF(x - 50, 0, 100, header - 4),
                   Qt::AlignHCenter | Qt::AlignBottom,
                   qs(durationText(t)));
    }

    for (std::size_t r = 0; r < rows.size(); ++r) {
        const StoryRow& row = rows[r];
        const double y = header + static_cast<double>(r) * h;
        // The label, indented by depth; critical rows in bold.
        QFont font = p.font();
        font.setBold(row.critical && !row.span);
        p.setFont(font);
        p.setPen(m_theme.text);
        const double indent = 4.0 + row.depth * kIndent;
        const QRectF labelRect(indent, y, std::max(10.0, labels - indent - 6.0), h);
        p.drawText(labelRect,
                   Qt::AlignLeft | Qt::AlignVCenter,
                   fontMetrics().elidedText(
                       qs(row.label), Qt::ElideRight, static_cast<int>(labelRect.width())));
        // The bar: spans in their outcome's colour, leaves lighter in their span's.
        std::int32_t owner = static_cast<std::int32_t>(r);
        while (owner >= 0 && !rows[static_cast<std::size_t>(owner)].span)
            owner = rows[static_cast<std::size_t>(owner)].parent;
        const StoryRow& ownerRow = rows[static_cast<std::size_t>(std::max(owner, 0))];
        QColor colour = ownerRow.end >= 0 ? Theme::outcomeColour(outcomeClass(ownerRow.outcome))
                                          : m_theme.mutedText;
        if (!row.span)
            colour = m_theme.kind == Theme::Kind::Dark ? colour.darker(140) : colour.lighter(135);
        const QRectF bar = barRect(static_cast<int>(r));
        p.setBrush(colour);
        p.setPen(Qt::NoPen);
        p.drawRect(bar);
        if (row.reset) { // a try its caller gave up on: hatched
            p.setBrush(QBrush(m_theme.text, Qt::BDiagPattern));
            p.drawRect(bar);
        }
        QPen outline(colour.darker(160), 1.0);
        if (row.critical) // the critical path: a thick outline
            outline = QPen(m_theme.text, 2.5 * m_theme.lineScale);
        if (row.end < 0)
            outline.setStyle(Qt::DashLine);
        p.setPen(outline);
        p.setBrush(Qt::NoBrush);
        p.drawRect(bar);
    }
}

// --- RequestInspector -------------------------------------------------------------------------

RequestInspector::RequestInspector(QWidget* parent)
    : QWidget(parent)
    , m_search(new QLineEdit(this))
    , m_resultList(new QListWidget(this))
    , m_resultCount(new QLabel(this))
    , m_summary(new QLabel(this))
    , m_gantt(new GanttChart)
    , m_ganttScroll(new QScrollArea(this))
    , m_decisions(new QListWidget(this))
    , m_flags(new QLabel(this))
{
    m_search->setPlaceholderText(
        tr("request id, /route, outcome (timeout, server_error…), flag (URX, UF…), failed, "
           "slowest"));
    m_search->setClearButtonEnabled(true);
    auto* slowest = new QPushButton(tr("Slowest"), this);
    auto* failed = new QPushButton(tr("Failed"), this);
    slowest->setToolTip(tr("The sampled requests, the slowest first"));
    failed->setToolTip(tr("The sampled requests answered with an error"));

    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_flags->setWordWrap(true);
    m_flags->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_ganttScroll->setWidget(m_gantt);
    m_ganttScroll->setWidgetResizable(true);
    m_ganttScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_decisions->setWordWrap(true);

    auto* searchRow = new QHBoxLayout;
    searchRow->addWidget(m_search, 1);
    searchRow->addWidget(slowest);
    searchRow->addWidget(failed);

    auto* left = new QWidget(this);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(m_resultCount);
    leftLayout->addWidget(m_resultList, 1);

    auto* right = new QSplitter(Qt::Vertical, this);
    auto* top = new QWidget(right);
    auto* topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addWidget(m_summary);
    topLayout->addWidget(m_ganttScroll, 1);
    auto* bottom = new QWidget(right);
    auto* bottomLayout = new QVBoxLayout(bottom);
    bottomLayout->setContentsMargins(0, 0, 0, 0);
    bottomLayout->addWidget(new QLabel(tr("Decisions"), bottom));
    bottomLayout->addWidget(m_decisions, 1);
    bottomLayout->addWidget(m_flags);
    right->addWidget(top);
    right->addWidget(bottom);
    right->setStretchFactor(0, 3);
    right->setStretchFactor(1, 2);

    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(left);
    split->addWidget(right);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 4);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(searchRow);
    layout->addWidget(split, 1);

    connect(m_search, &QLineEdit::returnPressed, this, [this] { search(m_search->text()); });
    connect(slowest, &QPushButton::clicked, this, [this] { showSlowest(); });
    connect(failed, &QPushButton::clicked, this, [this] { showFailed(); });
    connect(m_resultList, &QListWidget::currentRowChanged, this, [this](int row) {
        if (m_filling || row < 0 || row >= static_cast<int>(m_results.size()))
            return;
        showRequest(m_results[static_cast<std::size_t>(row)]);
    });
    connect(m_gantt, &GanttChart::rowClicked, this, [this](int row) {
        if (m_story && row >= 0 && row < static_cast<int>(m_story->rows.size()))
            emit timeRequested(m_story->rows[static_cast<std::size_t>(row)].start);
    });
    connect(m_decisions, &QListWidget::itemClicked, this, [this](QListWidgetItem* item) {
        emit timeRequested(item->data(Qt::UserRole).toLongLong());
    });
    fillStory();
}

void RequestInspector::setData(const m::Recording* recording, const topologies::SystemView* view)
{
    m_recording = recording;
    m_view = view;
    m_story.reset();
    m_results.clear();
    m_lastSearch.clear();
    m_filling = true;
    m_resultList->clear();
    m_filling = false;
    m_resultCount->clear();
    fillStory();
}

void RequestInspector::recordingGrew()
{
    if (!m_recording || !m_view)
        return;
    if (!m_lastSearch.isEmpty())
        runSearch(m_lastSearch, true);
    if (m_story)
        if (const m::RecordedRequest* q = find(m_story->id)) {
            m_story = tellRequest(*q, *m_view);
            fillStory();
        }
}

void RequestInspector::setTheme(const Theme& theme)
{
    m_theme = theme;
    m_gantt->setTheme(theme);
}

const m::RecordedRequest* RequestInspector::find(std::uint64_t id) const
{
    if (!m_recording)
        return nullptr;
    for (const m::RecordedRequest& q : m_recording->requests)
        if (q.id == id)
            return &q;
    return nullptr;
}

bool RequestInspector::showRequest(std::uint64_t id)
{
    const m::RecordedRequest* q = m_view ? find(id) : nullptr;
    if (!q)
        return false;
    m_story = tellRequest(*q, *m_view);
    fillStory();
    const auto at = std::find(m_results.begin(), m_results.end(), id);
    m_filling = true;
    m_resultList->setCurrentRow(at == m_results.end() ? -1
                                                      : static_cast<int>(at - m_results.begin()));
    m_filling = false;
    emit requestShown(id);
    return true;
}

bool RequestInspector::search(const QString& text)
{
    if (m_search->text() != text)
        m_search->setText(text);
    m_lastSearch = text;
    runSearch(text, false);
    if (m_results.empty())
        return false;
    return showRequest(m_results.front());
}

bool RequestInspector::showSlowest()
{
    return search(QStringLiteral("slowest"));
}

bool RequestInspector::showFailed()
{
    return search(QStringLiteral("failed"));
}

void RequestInspector::runSearch(const QString& text, bool keepShown)
{
    m_results.clear();
    m_filling = true;
    m_resultList->clear();
    m_filling = false;
    if (!m_recording || !m_view) {
        m_resultCount->setText(tr("Nothing recorded"));
        return;
    }
    const RequestSearch found = findRequests(*m_recording, *m_view, text.toStdString());
    m_problem = found.understood ? QString() : qs(found.problem);
    if (!found.understood) {
        m_resultCount->setText(m_problem);
        return;
    }
    m_results = found.ids;
    m_filling = true;
    for (const std::uint64_t id : m_results) {
        const m::RecordedRequest* q = find(id);
        QString line = QStringLiteral("#%1").arg(id);
        if (q && !q->hops.empty()) {
            const m::RecordedHop& root = q->hops[0];
            line += QStringLiteral("  %1  ").arg(
                q->route < m_view->routes.size() ? qs(m_view->routes[q->route].path) : "?");
            if (root.end >= 0) {
                const std::string_view o = m::outcomeName(root.outcome);
                line += QString::fromLatin1(o.data(), static_cast<int>(o.size()));
                line += QStringLiteral("  %1").arg(qs(durationText(root.end - root.start)));
            } else {
                line += tr("under way");
            }
            std::uint16_t flags = m::kFlagNone;
            for (const m::RecordedHop& h : q->hops)
                if (h.kind == m::HopKind::Call)
                    flags |= h.flags;
            if (flags != m::kFlagNone)
                line += QStringLiteral("  %1").arg(qs(m::flagsText(flags)));
        }
        auto* item = new QListWidgetItem(line, m_resultList);
        item->setData(Qt::UserRole, QVariant::fromValue<quint64>(id));
    }
    if (keepShown && m_story) {
        const auto at = std::find(m_results.begin(), m_results.end(), m_story->id);
        if (at != m_results.end())
            m_resultList->setCurrentRow(static_cast<int>(at - m_results.begin()));
    }
    m_filling = false;
    m_resultCount->setText(
        found.matched > m_results.size()
            ? tr("%1 requests (the first %2 listed)").arg(found.matched).arg(m_results.size())
            : tr("%n request(s)", nullptr, static_cast<int>(found.matched)));
}

void RequestInspector::fillStory()
{
    m_decisions->clear();
    if (!m_story) {
        m_summary->setText(tr("Search a request, or click a particle."));
        m_flags->clear();
        m_gantt->setStory(nullptr);
        return;
    }
    const RequestStory& s = *m_story;
    m_summary->setText(qs(s.summary));
    m_gantt->setStory(&s);
    for (const Decision& d : s.decisions) {
        auto* item = new QListWidgetItem(
            QStringLiteral("+%1  %2").arg(qs(durationText(d.at - s.start)), qs(d.text)),
            m_decisions);
        item->setData(Qt::UserRole, QVariant::fromValue<qint64>(d.at));
    }
    QStringList notes;
    for (const std::string& n : s.flagNotes)
        notes << qs(n);
    m_flags->setText(notes.isEmpty() ? tr("Response flags: none")
                                     : tr("Response flags:\n") + notes.join('\n'));
}

std::optional<std::uint64_t> RequestInspector::shownRequest() const
{
    if (!m_story)
        return std::nullopt;
    return m_story->id;
}

int RequestInspector::rowCount() const
{
    return m_story ? static_cast<int>(m_story->rows.size()) : 0;
}

QString RequestInspector::rowLabel(int row) const
{
    if (!m_story || row < 0 || row >= rowCount())
        return {};
    return qs(m_story->rows[static_cast<std::size_t>(row)].label);
}

QStringList RequestInspector::rowLabels() const
{
    QStringList labels;
    for (int r = 0; r < rowCount(); ++r)
        labels << rowLabel(r);
    return labels;
}

std::vector<int> RequestInspector::criticalRows() const
{
    std::vector<int> rows;
    for (int r = 0; r < rowCount(); ++r)
        if (m_story->rows[static_cast<std::size_t>(r)].critical)
            rows.push_back(r);
    return rows;
}

QStringList RequestInspector::decisionTexts() const
{
    QStringList texts;
    if (m_story)
        for (const Decision& d : m_story->decisions)
            texts << qs(d.text);
    return texts;
}

QString RequestInspector::summaryText() const
{
    return m_summary->text();
}

QString RequestInspector::flagsText() const
{
    return m_story ? qs(m::flagsText(m_story->flags)) : QString();
}

QString RequestInspector::searchProblem() const
{
    return m_problem;
}

} // namespace meshsim::ui
