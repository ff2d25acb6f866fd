#pragma once

// The particle layer: one QGraphicsItem that draws every particle of the shown instant, batched
// (one sprite per style, drawn with QPainter::drawPixmapFragments), over the topology. One item
// per particle is 20 to 40 times slower (reference/ux.md §4.3).
//
// Where a particle is: a Travel leg moves from its `from` place to its `at` place (requests and
// responses on lanes a few pixels apart); a Wait leg sits in a small disc around its place (the
// request's id chooses where, so waiting particles do not pile up on one pixel); a Bounce leg
// goes a third of the way towards its target and back.

#include "ui/particle_index.h"
#include "ui/theme.h"

#include <QGraphicsItem>
#include <QPainter>
#include <QPixmap>

#include <array>
#include <optional>
#include <utility>
#include <vector>

namespace meshsim::ui {

// Scene positions of the places particles go: components and instances.
struct PlacePositions
{
    std::vector<QPointF> components;
    std::vector<QPointF> instances; // by SystemView::instances index; empty: use components
    double waitRadius = 16.0;

    QPointF of(std::uint32_t component, std::uint32_t instance) const;
};

class ParticleLayer : public QGraphicsItem
{
public:
    ParticleLayer();

    void setIndex(const ParticleIndex* index)
    {
        m_index = index;
        m_drawnTime.reset();
    }
    void setPositions(PlacePositions positions);
    const PlacePositions& positions() const { return m_positions; }
    void setTheme(const Theme& theme);
    void setTime(std::int64_t timeNs);
    std::int64_t time() const { return m_time; }
    // Reduced motion: particles are not drawn moving (the views show rates and states only).
    void setReducedMotion(bool reduced);
    bool reducedMotion() const { return m_reduced; }
    void setSceneBounds(const QRectF& bounds);

    // The particles of the current instant: their positions and legs (for tests and clicks).
    struct Particle
    {
        QPointF at;
        const Leg* leg;
    };
    std::vector<Particle> particles() const;
    std::size_t drawnLastFrame() const { return m_drawn; }
    // The request of the particle nearest to `scenePos` within `radius` (scene units), among
    // those drawn at the shown instant (where the last frame put them; computed when no frame
    // was drawn at it yet). None when reduced motion hides the particles.
    std::optional<std::uint64_t> requestAt(QPointF scenePos, double radius) const;

    QRectF boundingRect() const override { return m_bounds; }
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

    QPointF positionOf(const Leg& leg, double progress) const;

private:
    void makeSprites();

    const ParticleIndex* m_index = nullptr;
    PlacePositions m_positions;
    Theme m_theme = Theme::make(Theme::Kind::Light);
    std::int64_t m_time = 0;
    bool m_reduced = false;
    QRectF m_bounds;
    std::array<QPixmap, kParticleStyleCount> m_sprites;
    std::array<std::vector<QPainter::PixmapFragment>, kParticleStyleCount> m_batches;
    std::size_t m_drawn = 0;
    // Where the last frame drew each particle (scene coordinates) and whose it was, for clicks.
    std::vector<std::pair<QPointF, std::uint64_t>> m_drawnAt;
    std::optional<std::int64_t> m_drawnTime; // the instant of that frame
};

// Draws one particle style into a painter at `center` (the legend and the sprites use it).
void drawParticleShape(QPainter& painter, const QPointF& center, double size, ParticleStyle style);

} // namespace meshsim::ui
