#pragma once

// How the GUI looks: a light, a dark and a projector theme (large type, thick lines), and the
// outcome palette — Okabe and Ito's colour-blind-safe colours, each outcome with a shape of its
// own as well, so nothing is told by colour alone.

#include "ui/series_stats.h"

#include <QColor>
#include <QString>

#include <array>

namespace meshsim::ui {

enum class ParticleShape { Circle, Diamond, Triangle, Cross, Square, Plus };

struct Theme
{
    enum class Kind { Light, Dark, Projector };
    Kind kind = Kind::Light;
    QColor background, text, mutedText, nodeFill, nodeOutline, edgeIdle, zoneFill, hostFill;
    QColor healthy, degraded, failing; // edges and rings by error share
    QColor utilisation;
    double fontScale = 1.0;
    double lineScale = 1.0;
    double particleSize = 7.0; // pixels

    static Theme make(Kind kind);
    static Theme byName(const QString& name); // light, dark, projector
    QString name() const;

    static QColor outcomeColour(OutcomeClass c);
    static ParticleShape outcomeShape(OutcomeClass c);
};

// Edge health by error share (Kiali's defaults: degraded from 0.1%, failing above 10%).
struct HealthThresholds
{
    double degraded = 0.001;
    double failing = 0.10;
};

} // namespace meshsim::ui
