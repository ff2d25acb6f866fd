#include "ui/playback.h"

#include <algorithm>
#include <cmath>

namespace meshsim::ui {

Playback::Playback(QObject* parent)
    : QObject(parent)
{
    m_timer.setInterval(16);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &Playback::tick);
}

void Playback::setLimit(std::int64_t limitNs)
{
    limitNs = std::max<std::int64_t>(0, limitNs);
    if (limitNs == m_limit)
        return;
    m_limit = limitNs;
    emit limitChanged(m_limit);
    if (m_follow && m_playing)
        setTime(m_limit);
    else if (m_time > m_limit)
        setTime(m_limit);
}

void Playback::setTime(std::int64_t timeNs)
{
    timeNs = std::clamp<std::int64_t>(timeNs, 0, m_limit);
    if (timeNs == m_time)
        return;
    m_time = timeNs;
    emit timeChanged(m_time);
}

void Playback::setSpeed(double factor)
{
    m_speed = std::clamp(factor, kMinSpeed, kMaxSpeed);
}

void Playback::setFollowRun(bool follow)
{
    m_follow = follow;
    if (m_follow && m_playing)
        setTime(m_limit);
}

void Playback::play()
{
    if (m_playing)
        return;
    m_playing = true;
    m_wall.start();
    m_timer.start();
    emit playingChanged(true);
}

void Playback::pause()
{
    if (!m_playing)
        return;
    m_playing = false;
    m_timer.stop();
    emit playingChanged(false);
}

void Playback::advance(std::int64_t wallNs)
{
    if (m_follow) {
        setTime(m_limit);
        return;
    }
    const auto step = static_cast<std::int64_t>(std::llround(double(wallNs) * m_speed));
    setTime(m_time + std::max<std::int64_t>(step, 0));
}

void Playback::tick()
{
    const std::int64_t elapsed = m_wall.nsecsElapsed();
    m_wall.restart();
    // A stalled frame (a busy machine) does not turn into a jump in simulated time.
    advance(std::min<std::int64_t>(elapsed, 100'000'000));
}

} // namespace meshsim::ui
