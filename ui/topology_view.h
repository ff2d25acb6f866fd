#pragma once

// The view on the topology scene: wheel to zoom (around the pointer), drag to pan, fit; a click
// selects a node or an edge; a double click focuses a node and its neighbours.

#include <QGraphicsView>

namespace meshsim::ui {

class TopologyView : public QGraphicsView
{
    Q_OBJECT

public:
    explicit TopologyView(QWidget* parent = nullptr);

    void fit();
    void zoomBy(double factor);

    // How long the frames took to paint (wall time of each paint of the view).
    struct FrameTimes
    {
        std::size_t count = 0;
        double totalMs = 0.0;
        double maxMs = 0.0;
        double lastMs = 0.0;
    };
    const FrameTimes& frameTimes() const { return m_frames; }

signals:
    void nodeDoubleClicked(QGraphicsItem* item);

protected:
    void paintEvent(QPaintEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;

private:
    FrameTimes m_frames;
};

} // namespace meshsim::ui
