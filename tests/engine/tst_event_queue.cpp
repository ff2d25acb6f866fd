// EventQueue: time order, FIFO among equal times, cancellation, stale ids, runUntil.

#include "engine/core/event_queue.h"

#include <QTest>

#include <vector>

using namespace meshsim::engine;

class TestEventQueue : public QObject
{
    Q_OBJECT

private slots:
    void runsInTimeOrder()
    {
        EventQueue q;
        std::vector<int> order;
        std::vector<int>* out = &order;
        q.scheduleAt(atNanos(30), [out] { out->push_back(3); });
        q.scheduleAt(atNanos(10), [out] { out->push_back(1); });
        q.scheduleAt(atNanos(20), [out] { out->push_back(2); });
        q.run();
        QCOMPARE(order, (std::vector<int>{1, 2, 3}));
        QCOMPARE(q.now(), atNanos(30));
        QCOMPARE(q.executed(), std::uint64_t{3});
    }

    void equalTimesRunFifo()
    {
        // 1000 events at the same instant, scheduled in a known order, run in that order
        // whatever the heap does with them.
        EventQueue q;
        std::vector<int> order;
        std::vector<int>* out = &order;
        for (int i = 0; i < 1000; ++i)
            q.scheduleAt(atNanos(5), [out, i] { out->push_back(i); });
        q.run();
        QCOMPARE(order.size(), std::size_t{1000});
        for (int i = 0; i < 1000; ++i)
            QCOMPARE(order[static_cast<std::size_t>(i)], i);
    }

    void eventsScheduledFromEventsKeepOrder()
    {
        EventQueue q;
        std::vector<int> order;
        struct Ctx
        {
            EventQueue* q;
            std::vector<int>* out;
        } ctx{&q, &order};
        Ctx* c = &ctx;
        q.scheduleAt(atNanos(10), [c] {
            c->out->push_back(1);
            // Same time as the event already queued at 10: runs after it (FIFO).
            c->q->scheduleAfter(SimDuration{0}, [c] { c->out->push_back(3); });
        });
        q.scheduleAt(atNanos(10), [c] { c->out->push_back(2); });
        q.run();
        QCOMPARE(order, (std::vector<int>{1, 2, 3}));
    }

    void cancelPreventsRun()
    {
        EventQueue q;
        int ran = 0;
        int* r = &ran;
        const TimerId a = q.scheduleAt(atNanos(10), [r] { *r += 1; });
        q.scheduleAt(atNanos(20), [r] { *r += 10; });
        QCOMPARE(q.pending(), std::size_t{2});
        QVERIFY(q.cancel(a));
        QCOMPARE(q.pending(), std::size_t{1});
        QVERIFY(!q.cancel(a)); // twice: no effect
        q.run();
        QCOMPARE(ran, 10);
        QCOMPARE(q.executed(), std::uint64_t{1});
    }

    void staleIdCannotCancelANewerEvent()
    {
        // The slot of a finished event is reused; its old id must not cancel the new event.
        EventQueue q;
        int ran = 0;
        int* r = &ran;
        const TimerId old = q.scheduleAt(atNanos(1), [r] { *r += 1; });
        q.run();
        const TimerId fresh = q.scheduleAt(atNanos(2), [r] { *r += 100; });
        QCOMPARE(fresh.slot, old.slot);
        QVERIFY(!q.cancel(old));
        q.run();
        QCOMPARE(ran, 101);
    }

    void runUntilStopsAtLimit()
    {
        EventQueue q;
        std::vector<int> order;
        std::vector<int>* out = &order;
        q.scheduleAt(atNanos(100), [out] { out->push_back(1); });
        q.scheduleAt(atNanos(200), [out] { out->push_back(2); });
        q.runUntil(atNanos(150));
        QCOMPARE(order, (std::vector<int>{1}));
        QCOMPARE(q.now(), atNanos(100));
        QCOMPARE(q.nextTime(), atNanos(200));
        q.runUntil(atNanos(200)); // inclusive
        QCOMPARE(order, (std::vector<int>{1, 2}));
        QCOMPARE(q.nextTime(), kSimNever);
    }

    void stopEndsRun()
    {
        EventQueue q;
        int ran = 0;
        struct Ctx
        {
            EventQueue* q;
            int* ran;
        } ctx{&q, &ran};
        Ctx* c = &ctx;
        q.scheduleAt(atNanos(1), [c] {
            ++*c->ran;
            c->q->stop();
        });
        q.scheduleAt(atNanos(2), [c] { ++*c->ran; });
        q.run();
        QCOMPARE(ran, 1);
        q.run();
        QCOMPARE(ran, 2);
    }

    void randomScheduleMatchesSortedOrder()
    {
        // Many events at pseudo-random times, with cancellations: the run order equals a
        // stable sort of the surviving events by time.
        EventQueue q;
        std::vector<std::pair<std::int64_t, int>> expected;
        std::vector<int> order;
        std::vector<int>* out = &order;
        std::vector<TimerId> ids;
        std::uint64_t x = 88172645463325252ULL;
        for (int i = 0; i < 5000; ++i) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            const auto t = static_cast<std::int64_t>(x % 1000);
            ids.push_back(q.scheduleAt(atNanos(t), [out, i] { out->push_back(i); }));
            expected.emplace_back(t, i);
        }
        std::vector<std::pair<std::int64_t, int>> survivors;
        for (int i = 0; i < 5000; ++i) {
            if (i % 7 == 3)
                QVERIFY(q.cancel(ids[static_cast<std::size_t>(i)]));
            else
                survivors.push_back(expected[static_cast<std::size_t>(i)]);
        }
        std::stable_sort(survivors.begin(), survivors.end(), [](const auto& a, const auto& b) {
            return a.first < b.first;
        });
        q.run();
        QCOMPARE(order.size(), survivors.size());
        for (std::size_t i = 0; i < order.size(); ++i)
            QCOMPARE(order[i], survivors[i].second);
    }
};

QTEST_GUILESS_MAIN(TestEventQueue)
#include "tst_event_queue.moc"
