#pragma once

// The one clock every view follows: the simulated time shown, moved by a timer at the display's
// pace (about 60 times a second) at a speed factor of simulated per wall time, or by the user
// (scrubbing, stepping). It never runs past `limit`, the latest time the run has recorded: while
// a run streams in, playback waits for it.

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <cstdint>

namespace meshsim::ui {

class Playback : public QObject
{
    Q_OBJECT

public:
    static constexpr double kMinSpeed = 0.01;
    static constexpr double kMaxSpeed = 1000.0;

    explicit Playback(QObject* parent = nullptr);

    std::int64_t time() const { return m_time; }
    std::int64_t limit() const { return m_limit; }
    bool playing() const { return m_playing; }
    double speed() const { return m_speed; }
    // "As fast as the run": the shown time follows the latest recorded time.
    bool followsRun() const { return m_follow; }

    void setLimit(std::int64_t limitNs);
    void setTime(std::int64_t timeNs);
    void setSpeed(double factor); // clamped to [kMinSpeed, kMaxSpeed]
    void setFollowRun(bool follow);
    void play();
    void pause();
    void toggle() { m_playing ? pause() : play(); }
    // Moves the clock by `wallNs` of wall time at the current speed (the timer calls it; tests
    // call it to play deterministically).
    void advance(std::int64_t wallNs);

signals:
    void timeChanged(std::int64_t timeNs);
    void playingChanged(bool playing);
    void limitChanged(std::int64_t limitNs);

private:
    void tick();

    QTimer m_timer;
    QElapsedTimer m_wall;
    std::int64_t m_time = 0;
    std::int64_t m_limit = 0;
    double m_speed = 1.0;
    bool m_playing = false;
    bool m_follow = false;
};

} // namespace meshsim::ui
