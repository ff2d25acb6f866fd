#pragma once

// The timeline: the whole run on one strip, with sparklines of what the clients sent and of their
// errors (per window, from the recording), markers for faults (the scenario's, as bands), breaker
// changes, ejections, readiness and instances going down, the part not recorded yet greyed, the
// shown time as a cursor and the selected range shaded.
//
// Click or drag: moves the shown time (every view follows). Shift+drag: selects a range, which
// every number and chart re-aggregates to; a click without Shift, or Escape, clears it.

#include "models/config/fault.h"
#include "models/recording.h"
#include "topologies/system_view.h"
#include "ui/theme.h"

#include <QWidget>

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace meshsim::ui {

class Timeline : public QWidget
{
    Q_OBJECT

public:
    explicit Timeline(QWidget* parent = nullptr);

    void setRun(std::int64_t durationNs,
                std::vector<models::FaultConfig> faults,
                topologies::SystemView view = {});
    // What the markers within a few pixels of x say (the tooltip).
    QString describeAt(int x) const;
    void setRecording(const models::Recording* recording); // after it grew
    void setTime(std::int64_t timeNs);
    void setLimit(std::int64_t limitNs);
    void setTheme(const Theme& theme);
    void clearRange();
    // Selects a range as Shift+drag does (and says so with rangeSelected).
    void selectRange(std::int64_t fromNs, std::int64_t toNs);
    std::optional<std::pair<std::int64_t, std::int64_t>> range() const { return m_range; }

    // Scene geometry, for tests: the x of a time and the time at an x.
    int xOf(std::int64_t timeNs) const;
    std::int64_t timeAt(int x) const;

    QSize sizeHint() const override { return {800, 84}; }
    QSize minimumSizeHint() const override { return {200, 60}; }

signals:
    void timeRequested(std::int64_t timeNs);
    void rangeSelected(std::int64_t fromNs, std::int64_t toNs);
    void rangeCleared();

protected:
    bool event(QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;

private:
    QRect plotRect() const;

    const models::Recording* m_recording = nullptr;
    std::int64_t m_duration = 1;
    std::int64_t m_time = 0;
    std::int64_t m_limit = 0;
    std::vector<models::FaultConfig> m_faults;
    topologies::SystemView m_view;
    Theme m_theme = Theme::make(Theme::Kind::Light);
    std::optional<std::pair<std::int64_t, std::int64_t>> m_range;
    std::optional<std::int64_t> m_dragFrom;
    std::vector<double> m_sent, m_errors; // per window, per second
    double m_top = 1.0;
    bool m_selecting = false;
};

} // namespace meshsim::ui
