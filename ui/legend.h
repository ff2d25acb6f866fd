#pragma once

// The legend: what each particle shape and colour, each edge colour and each node badge means,
// drawn with the same code that draws them on the topology.

#include "ui/theme.h"

#include <QWidget>

namespace meshsim::ui {

class Legend : public QWidget
{
    Q_OBJECT

public:
    explicit Legend(QWidget* parent = nullptr);
    void setTheme(const Theme& theme, const HealthThresholds& thresholds);
    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    Theme m_theme = Theme::make(Theme::Kind::Light);
    HealthThresholds m_thresholds;
};

} // namespace meshsim::ui
