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

signals:
    void nodeDoubleClicked(QGraphicsItem* item);

protected:
    void wheelEvent(QWheelEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
};

} // namespace meshsim::ui
