#include "ui/particle_layer.h"

#include <QPainterPath>

#include <cmath>
#include <numbers>

namespace meshsim::ui {

QPointF PlacePositions::of(std::uint32_t component, std::uint32_t instance) const
{
    if (instance < instances.size())
        return instances[instance];
    if (component < components.size())
        return components[component];
    return {};
}

void drawParticleShape(QPainter& p, const QPointF& c, double size, ParticleStyle style)
{
    const QColor colour = Theme::outcomeColour(style.outcome);
    const double r = size / 2.0;
    QPen pen(style.response ? colour : colour.darker(160), style.response ? 2.0 : 1.0);
    p.setPen(pen);
    p.setBrush(style.response ? Qt::NoBrush : QBrush(colour));
    switch (Theme::outcomeShape(style.outcome)) {
    case ParticleShape::Circle:
        p.drawEllipse(c, r - 1, r - 1);
        break;
    case ParticleShape::Diamond:
        p.drawPolygon(QPolygonF{
            {c.x(), c.y() - r}, {c.x() + r, c.y()}, {c.x(), c.y() + r}, {c.x() - r, c.y()}});
        break;
    case ParticleShape::Triangle:
        p.drawPolygon(QPolygonF{
            {c.x(), c.y() - r}, {c.x() + r, c.y() + r * 0.8}, {c.x() - r, c.y() + r * 0.8}});
        break;
    case ParticleShape::Square:
        p.drawRect(QRectF(c.x() - r + 1, c.y() - r + 1, size - 2, size - 2));
        break;
    case ParticleShape::Cross:
    case ParticleShape::Plus: {
        const bool plus = Theme::outcomeShape(style.outcome) == ParticleShape::Plus;
        p.setPen(QPen(colour.darker(120), std::max(2.0, size / 3.5), Qt::SolidLine, Qt::RoundCap));
        const double k = r - 1;
        if (plus) {
            p.drawLine(QPointF(c.x() - k, c.y()), QPointF(c.x() + k, c.y()));
            p.drawLine(QPointF(c.x(), c.y() - k), QPointF(c.x(), c.y() + k));
        } else {
            p.drawLine(QPointF(c.x() - k, c.y() - k), QPointF(c.x() + k, c.y() + k));
            p.drawLine(QPointF(c.x() - k, c.y() + k), QPointF(c.x() + k, c.y() - k));
        }
        break;
    }
    }
    if (style.retry) { // a retry or a hedge: a ring around the particle
        p.setPen(QPen(QColor(0x20, 0x20, 0x20), 1.2));
        p.setBrush(Qt::NoBrush);
        p.drawEllipse(c, r + 1.5, r + 1.5);
    }
}

ParticleLayer::ParticleLayer()
{
    setZValue(10);
    setAcceptedMouseButtons(Qt::NoButton);
    makeSprites();
}

void ParticleLayer::setPositions(PlacePositions positions)
{
    m_positions = std::move(positions);
    m_drawnTime.reset();
    update();
}

void ParticleLayer::setTheme(const Theme& theme)
{
    m_theme = theme;
    makeSprites();
    update();
}

void ParticleLayer::setTime(std::int64_t timeNs)
{
    if (timeNs == m_time)
        return;
    m_time = timeNs;
    update();
}

void ParticleLayer::setReducedMotion(bool reduced)
{
    m_reduced = reduced;
    m_drawnTime.reset();
    update();
}

void ParticleLayer::setSceneBounds(const QRectF& bounds)
{
    prepareGeometryChange();
    m_bounds = bounds;
}

void ParticleLayer::makeSprites()
{
    const double size = m_theme.particleSize;
    const int extent = static_cast<int>(std::ceil(size + 6));
    for (std::size_t s = 0; s < kParticleStyleCount; ++s) {
        ParticleStyle style;
        style.outcome = static_cast<OutcomeClass>(s / 4);
        style.response = (s & 2U) != 0;
        style.retry = (s & 1U) != 0;
        QPixmap sprite(extent, extent);
        sprite.fill(Qt::transparent);
        QPainter p(&sprite);
        p.setRenderHint(QPainter::Antialiasing);
        drawParticleShape(p, QPointF(extent / 2.0, extent / 2.0), size, style);
        m_sprites[s] = sprite;
    }
}

QPointF ParticleLayer::positionOf(const Leg& leg, double u) const
{
    const QPointF to = m_positions.of(leg.toComponent, leg.toInstance);
    switch (leg.motion) {
    case Motion::Travel: {
        const QPointF from = m_positions.of(leg.fromComponent, leg.fromInstance);
        const QPointF d = to - from;
        const double length = std::hypot(d.x(), d.y());
        QPointF lane;
        if (length > 1e-6) { // responses on the other side of the edge
            const bool response = (leg.style & 2U) != 0;
            lane = QPointF(-d.y() / length, d.x() / length) * (response ? -4.0 : 4.0);
        }
        return from + d * u + lane;
    }
    case Motion::Bounce: {
        const QPointF from = m_positions.of(leg.fromComponent, leg.fromInstance);
        return from + (to - from) * (0.35 * std::sin(std::numbers::pi * u));
    }
    case Motion::Wait:
        break;
    }
    // A deterministic spot in a disc around the place, chosen by the request.
    const std::uint64_t h = (leg.requestId + 1) * 0x9E3779B97F4A7C15ULL;
    const double angle = double(h >> 40) / double(1ULL << 24) * 2 * std::numbers::pi;
    const double radius = std::sqrt(double((h >> 16) & 0xFFFF) / 65536.0) * m_positions.waitRadius;
    return to + QPointF(std::cos(angle) * radius, std::sin(angle) * radius);
}

std::vector<ParticleLayer::Particle> ParticleLayer::particles() const
{
    std::vector<Particle> result;
    if (!m_index || m_reduced)
        return result;
    m_index->forEachActive(m_time, [&](const Leg& leg, double u) {
        result.push_back({positionOf(leg, u), &leg});
    });
    return result;
}

std::optional<std::uint64_t> ParticleLayer::requestAt(QPointF scenePos, double radius) const
{
    std::optional<std::uint64_t> best;
    double nearest = radius * radius;
    const auto consider = [&](const QPointF& at, std::uint64_t request) {
        const QPointF d = at - scenePos;
        const double distance = d.x() * d.x() + d.y() * d.y();
        if (distance <= nearest) {
            nearest = distance;
            best = request;
        }
    };
    if (m_drawnTime && *m_drawnTime == m_time) {
        for (const auto& [at, request] : m_drawnAt)
            consider(at, request);
    } else {
        for (const Particle& particle : particles())
            consider(particle.at, particle.leg->requestId);
    }
    return best;
}

void ParticleLayer::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*)
{
    m_drawn = 0;
    m_drawnAt.clear();
    m_drawnTime = m_time;
    if (!m_index || m_reduced)
        return;
    for (auto& batch : m_batches)
        batch.clear();
    // Sprites are blitted in device pixels (a particle keeps its size at every zoom, and an
    // unscaled blit is the raster engine's fast path).
    const QTransform toDevice = painter->worldTransform();
    const double w = m_sprites[0].width(), h = m_sprites[0].height();
    m_index->forEachActive(m_time, [&](const Leg& leg, double u) {
        const QPointF scenePos = positionOf(leg, u);
        m_drawnAt.emplace_back(scenePos, leg.requestId);
        const QPointF at = toDevice.map(scenePos);
        m_batches[leg.style].push_back(QPainter::PixmapFragment::create(at, QRectF(0, 0, w, h)));
    });
    painter->save();
    painter->resetTransform();
    for (std::size_t s = 0; s < kParticleStyleCount; ++s)
        if (!m_batches[s].empty()) {
            painter->drawPixmapFragments(
                m_batches[s].data(), static_cast<int>(m_batches[s].size()), m_sprites[s]);
            m_drawn += m_batches[s].size();
        }
    painter->restore();
}

} // namespace meshsim::ui
