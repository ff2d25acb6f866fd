#include "ui/topology_view.h"

#include <QElapsedTimer>
#include <QMouseEvent>
#include <QWheelEvent>

#include <algorithm>
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

void TopologyView::paintEvent(QPaintEvent* event)
{
    QElapsedTimer timer;
    timer.start();
    QGraphicsView::paintEvent(event);
    const double ms = double(timer.nsecsElapsed()) / 1e6;
    ++m_frames.count;
    m_frames.totalMs += ms;
    m_frames.maxMs = std::max(m_frames.maxMs, ms);
    m_frames.lastMs = ms;
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
