#include "ui/theme.h"

namespace meshsim::ui {

Theme Theme::make(Kind kind)
{
    Theme t;
    t.kind = kind;
    t.healthy = QColor(0x00, 0x72, 0xB2);  // blue
    t.degraded = QColor(0xE6, 0x9F, 0x00); // orange
    t.failing = QColor(0xD5, 0x5E, 0x00);  // vermillion
    switch (kind) {
    case Kind::Light:
    case Kind::Projector:
        t.background = QColor(0xFA, 0xFA, 0xF8);
        t.text = QColor(0x20, 0x20, 0x20);
        t.mutedText = QColor(0x70, 0x70, 0x70);
        t.nodeFill = QColor(0xFF, 0xFF, 0xFF);
        t.nodeOutline = QColor(0x50, 0x50, 0x50);
        t.edgeIdle = QColor(0xC8, 0xC8, 0xC8);
        t.zoneFill = QColor(0xEE, 0xF2, 0xF6);
        t.hostFill = QColor(0xFF, 0xFF, 0xFF);
        t.utilisation = QColor(0x55, 0x55, 0x55);
        break;
    case Kind::Dark:
        t.background = QColor(0x1E, 0x1F, 0x22);
        t.text = QColor(0xEC, 0xEC, 0xEC);
        t.mutedText = QColor(0xA0, 0xA0, 0xA0);
        t.nodeFill = QColor(0x2B, 0x2D, 0x31);
        t.nodeOutline = QColor(0xB0, 0xB0, 0xB0);
        t.edgeIdle = QColor(0x55, 0x58, 0x5E);
        t.zoneFill = QColor(0x26, 0x2A, 0x30);
        t.hostFill = QColor(0x30, 0x33, 0x38);
        t.utilisation = QColor(0xD0, 0xD0, 0xD0);
        t.healthy = QColor(0x56, 0xB4, 0xE9); // sky blue reads better on dark
        break;
    }
    if (kind == Kind::Projector) {
        t.fontScale = 1.6;
        t.lineScale = 2.0;
        t.particleSize = 11.0;
        t.text = Qt::black;
    }
    return t;
}

Theme Theme::byName(const QString& name)
{
    if (name == "dark")
        return make(Kind::Dark);
    if (name == "projector")
        return make(Kind::Projector);
    return make(Kind::Light);
}

QString Theme::name() const
{
    switch (kind) {
    case Kind::Dark:
        return "dark";
    case Kind::Projector:
        return "projector";
    case Kind::Light:
        break;
    }
    return "light";
}

QColor Theme::outcomeColour(OutcomeClass c)
{
    switch (c) {
    case OutcomeClass::Ok:
        return QColor(0x00, 0x9E, 0x73); // bluish green
    case OutcomeClass::ServerError:
        return QColor(0xD5, 0x5E, 0x00); // vermillion
    case OutcomeClass::Timeout:
        return QColor(0xE6, 0x9F, 0x00); // orange
    case OutcomeClass::Refused:
        return QColor(0xCC, 0x79, 0xA7); // reddish purple
    case OutcomeClass::RateLimited:
        return QColor(0xF0, 0xE4, 0x42); // yellow
    case OutcomeClass::Denied:
        return QColor(0x56, 0xB4, 0xE9); // sky blue
    }
    return Qt::gray;
}

ParticleShape Theme::outcomeShape(OutcomeClass c)
{
    switch (c) {
    case OutcomeClass::Ok:
        return ParticleShape::Circle;
    case OutcomeClass::ServerError:
        return ParticleShape::Diamond;
    case OutcomeClass::Timeout:
        return ParticleShape::Triangle;
    case OutcomeClass::Refused:
        return ParticleShape::Cross;
    case OutcomeClass::RateLimited:
        return ParticleShape::Square;
    case OutcomeClass::Denied:
        return ParticleShape::Plus;
    }
    return ParticleShape::Circle;
}

} // namespace meshsim::ui
