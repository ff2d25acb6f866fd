#pragma once

// The request inspector: find a sampled request (by id, route, outcome, flag, "failed",
// "slowest"; or from a click on its particle), and read its story (ui/request_story.h): a Gantt
// chart of its hops on a time axis in milliseconds, bars coloured by outcome (leaf hops in a
// lighter shade of the span they belong to, tries its caller reset hatched) with the critical
// path outlined thick; the proxies' and callers' decisions in plain language; its response
// flags. Hovering a bar tells the hop's details; clicking one asks the views for the time it
// started; clicking a decision, for the time it was made.
//
// Reads a Recording and a SystemView that belong to the caller (they must outlive the inspector
// or be replaced with setData()). GUI thread only.

#include "models/recording.h"
#include "topologies/system_view.h"
#include "ui/request_story.h"
#include "ui/theme.h"

#include <QWidget>

#include <cstdint>
#include <optional>
#include <vector>

class QLabel;
class QLineEdit;
class QListWidget;
class QScrollArea;

namespace meshsim::ui {

// The Gantt chart of one story: a label column (indented by depth) and a bar per row.
class GanttChart : public QWidget
{
    Q_OBJECT

public:
    explicit GanttChart(QWidget* parent = nullptr);

    // The story belongs to the caller; null clears the chart.
    void setStory(const RequestStory* story);
    void setTheme(const Theme& theme);

    // Geometry, for clicks, tooltips and tests: the row at a point (-1: none), a row's bar.
    int rowAt(const QPoint& pos) const;
    QRectF barRect(int row) const;
    double xOf(std::int64_t timeNs) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    void rowClicked(int row);

protected:
    bool event(QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;

private:
    double rowHeight() const;
    double headerHeight() const;
    double labelWidth() const;
    std::int64_t spanNs() const;

    const RequestStory* m_story = nullptr;
    Theme m_theme = Theme::make(Theme::Kind::Light);
};

class RequestInspector : public QWidget
{
    Q_OBJECT

public:
    explicit RequestInspector(QWidget* parent = nullptr);

    // Starts over with this recording and view (either may be null: nothing to inspect).
    void setData(const models::Recording* recording, const topologies::SystemView* view);
    // The recording grew: the search runs again, the request shown is told again.
    void recordingGrew();
    void setTheme(const Theme& theme);

    // Shows one request; false when the recording has no request with this id (sampled out).
    bool showRequest(std::uint64_t id);
    // Fills the result list (findRequests' words) and shows the first result; false when the
    // text is not understood or nothing matches.
    bool search(const QString& text);
    bool showSlowest(); // search("slowest")
    bool showFailed();  // search("failed")

    // What a user reads.
    std::optional<std::uint64_t> shownRequest() const;
    const RequestStory* story() const { return m_story ? &*m_story : nullptr; }
    std::vector<std::uint64_t> results() const { return m_results; }
    int rowCount() const;
    QString rowLabel(int row) const;
    QStringList rowLabels() const;
    std::vector<int> criticalRows() const;
    QStringList decisionTexts() const;
    QString summaryText() const;
    QString flagsText() const;
    QString searchProblem() const;
    GanttChart* gantt() const { return m_gantt; }

signals:
    void timeRequested(std::int64_t timeNs);
    void requestShown(std::uint64_t id);

private:
    void runSearch(const QString& text, bool keepShown);
    void fillStory();
    const models::RecordedRequest* find(std::uint64_t id) const;

    const models::Recording* m_recording = nullptr;
    const topologies::SystemView* m_view = nullptr;
    std::optional<RequestStory> m_story;
    std::vector<std::uint64_t> m_results;
    QString m_lastSearch;
    QString m_problem; // why the last search was not understood
    Theme m_theme = Theme::make(Theme::Kind::Light);

    QLineEdit* m_search = nullptr;
    QListWidget* m_resultList = nullptr;
    QLabel* m_resultCount = nullptr;
    QLabel* m_summary = nullptr;
    GanttChart* m_gantt = nullptr;
    QScrollArea* m_ganttScroll = nullptr;
    QListWidget* m_decisions = nullptr;
    QLabel* m_flags = nullptr;
    bool m_filling = false;
};

} // namespace meshsim::ui
