#include "ui/topology_view.h"

#include <QMouseEvent>
#include <QWheelEvent>

#include <cmath>

namespace meshsim::ui {

TopologyView::TopologyView(QWidget* parent)
    : QGraphicsView(parent)
{
    setRenderHint(QPainter::Antialiasing);
    setDragMode(QGraphicsView::ScrollHandDrag);
    setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    // Particles move everywhere every frame: one full repaint is cheaper than many regions.
    setViewportUpdateMode(QGraphicsView::FullViewportUpdate);
    setOptimizationFlags(QGraphicsView::DontSavePainterState);
}

void TopologyView::fit()
{
    if (scene())
        fitInView(scene()->sceneRect(), Qt::KeepAspectRatio);
}

void TopologyView::zoomBy(double factor)
{
    const double current = transform().m11();
    const double next = std::clamp(current * factor, 0.02, 20.0);
    scale(next / current, next / current);
}

void TopologyView::wheelEvent(QWheelEvent* event)
{
    zoomBy(std::pow(1.0015, event->angleDelta().y()));
    event->accept();
}

void TopologyView::mouseDoubleClickEvent(QMouseEvent* event)
{
    emit nodeDoubleClicked(itemAt(event->position().toPoint()));
    QGraphicsView::mouseDoubleClickEvent(event);
}

} // namespace meshsim::ui
