#pragma once

// The charts (Qt Charts), docked under the topology and following the timeline: latency
// percentiles over time with the SLO line, throughput ok vs failed, errors by cause (stacked),
// queue and utilisation — of the whole system (what the clients saw, per route) or of the
// selected service or edge. All from the recording, through ui/series_stats.h: a chart point is
// the number of one window. A range selected on the timeline narrows every chart to it, and the
// summary line gives the range's totals. Series are thinned to about two points per pixel
// (the largest value of each pixel's windows, so spikes stay visible). Each chart exports as PNG
// and SVG.

#include "models/config/run.h"
#include "models/recording.h"
#include "topologies/system_view.h"
#include "ui/series_stats.h"
#include "ui/theme.h"

#include <QChart>
#include <QChartView>
#include <QGraphicsLineItem>
#include <QGridLayout>
#include <QLabel>
#include <QLineSeries>
#include <QWidget>

#include <optional>

namespace meshsim::ui {

class ChartsPanel : public QWidget
{
    Q_OBJECT

public:
    // What the charts are about.
    struct Subject
    {
        enum class Kind { System, Tier, Edge } kind = Kind::System;
        std::uint32_t index = 0; // tier or recorded edge
        QString name;
    };

    explicit ChartsPanel(QWidget* parent = nullptr);

    void setRun(const topologies::SystemView& view, const models::SloConfig& slo);
    void setRecording(const models::Recording* recording);
    void setSubject(const Subject& subject);
    const Subject& subject() const { return m_subject; }
    void setTime(std::int64_t timeNs);
    void setRange(std::optional<WindowRange> range);
    void setTheme(const Theme& theme);

    QChart* latencyChart() const { return m_latency; }

signals:
    // The user asked, on a chart over time, for the slowest (or a failed) sampled request
    // answered at `timeNs`.
    void requestWanted(std::int64_t timeNs, bool failed);

public:
    QChart* throughputChart() const { return m_throughput; }
    QChart* errorsChart() const { return m_errors; }
    QChart* loadChart() const { return m_load; }
    QChart* statesChart() const { return m_states; }
    QChart* servicesChart() const { return m_services; }
    QChart* spectrumChart() const { return m_spectrum; }
    QChart* histogramChart() const { return m_histogram; }
    QString summary() const;
    // The windows the charts show (the range, or the whole recording).
    WindowRange shownWindows() const;

    bool exportPng(QChart* chart, const QString& path) const;
    bool exportSvg(QChart* chart, const QString& path) const;

private:
    void rebuild();
    void distribution(const Aggregate& total);
    static void settle(QChart* chart);
    void moveCursor();
    QChartView* addChart(QChart* chart, int row, int column);

    topologies::SystemView m_view;
    models::SloConfig m_slo;
    const models::Recording* m_recording = nullptr;
    Subject m_subject;
    std::optional<WindowRange> m_range;
    std::int64_t m_time = 0;
    Theme m_theme = Theme::make(Theme::Kind::Light);

    QLabel* m_summary;
    QGridLayout* m_grid = nullptr;
    QChart* m_latency;
    QChart* m_throughput;
    QChart* m_errors;
    QChart* m_load;
    QChart* m_states;    // breakers open and instances ejected
    QChart* m_services;  // the services side by side over the range
    QChart* m_spectrum;  // latency percentile spectrum over the range
    QChart* m_histogram; // latency histogram over the range
    std::vector<QChartView*> m_views;
    // The shown time: a line over each chart's plot area, moved when it moves by a pixel.
    std::vector<QGraphicsLineItem*> m_cursors;
    std::vector<int> m_cursorPixels;
};

} // namespace meshsim::ui
