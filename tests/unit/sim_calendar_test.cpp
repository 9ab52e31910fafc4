#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <tuple>
#include <vector>

#include "capsim/sim/calendar.hpp"
#include "capsim/sim/random.hpp"
#include "capsim/sim/simulator.hpp"

namespace capsim::sim {
namespace {

enum class TestEvent : std::uint32_t { tick };

struct Recorder {
  std::vector<std::uint64_t> seen;
  void on_event(TestEvent, std::uint64_t data) { seen.push_back(data); }
};

TEST(EventCalendar, FiresInTimeOrder) {
  Calendar c;
  for (double t : {5.0, 1.0, 3.0, 2.0, 4.0}) c.schedule(t, 0, static_cast<std::uint64_t>(t));
  std::vector<double> times;
  while (!c.empty()) times.push_back(c.pop().time);
  EXPECT_EQ(times, (std::vector<double>{1, 2, 3, 4, 5}));
}

TEST(EventCalendar, TiesBreakByInsertionOrder) {
  Calendar c;
  for (std::uint64_t i = 0; i < 100; ++i) c.schedule(1.0, 0, i);
  for (std::uint64_t i = 0; i < 100; ++i) EXPECT_EQ(c.pop().data, i);
}

TEST(EventCalendar, TiesBreakByPriorityFirst) {
  Calendar c;
  c.schedule(1.0, 0, 1, Priority::observe);
  c.schedule(1.0, 0, 2, Priority::normal);
  c.schedule(1.0, 0, 3, Priority::urgent);
  c.schedule(0.5, 0, 4, Priority::observe);
  EXPECT_EQ(c.pop().data, 4u);
  EXPECT_EQ(c.pop().data, 3u);
  EXPECT_EQ(c.pop().data, 2u);
  EXPECT_EQ(c.pop().data, 1u);
}

TEST(EventCalendar, CancelRemovesOnlyThatEvent) {
  Calendar c;
  std::vector<EventId> ids;
  for (std::uint64_t i = 0; i < 10; ++i) ids.push_back(c.schedule(static_cast<double>(i), 0, i));
  EXPECT_TRUE(c.cancel(ids[3]));
  EXPECT_TRUE(c.cancel(ids[0]));
  EXPECT_TRUE(c.cancel(ids[9]));
  EXPECT_FALSE(c.cancel(ids[3])) << "a second cancel is a no-op";
  std::vector<std::uint64_t> order;
  while (!c.empty()) order.push_back(c.pop().data);
  EXPECT_EQ(order, (std::vector<std::uint64_t>{1, 2, 4, 5, 6, 7, 8}));
}

TEST(EventCalendar, StaleHandleDoesNotCancelReusedSlot) {
  Calendar c;
  const EventId first = c.schedule(1.0, 0, 1);
  c.pop();
  EXPECT_FALSE(c.pending(first));
  const EventId second = c.schedule(2.0, 0, 2);
  EXPECT_EQ(second.token, first.token) << "the token is reused";
  EXPECT_FALSE(c.cancel(first));
  EXPECT_TRUE(c.pending(second));
  EXPECT_EQ(c.size(), 1u);
}

TEST(EventCalendar, RandomScheduleAndCancelMatchesSortedReference) {
  Calendar c;
  RandomStream rng(123);
  struct Ref {
    double t;
    std::uint64_t seq;
    EventId id;
    bool cancelled;
  };
  std::vector<Ref> refs;
  for (std::uint64_t i = 0; i < 5000; ++i) {
    const double t = std::floor(rng.uniform01() * 100.0);  // many ties
    refs.push_back({t, i, c.schedule(t, 0, i), false});
    if (i % 3 == 0) {
      Ref& victim = refs[rng.below(refs.size())];
      if (!victim.cancelled) {
        EXPECT_TRUE(c.cancel(victim.id));
        victim.cancelled = true;
      }
    }
  }
  std::vector<Ref> expected;
  std::copy_if(refs.begin(), refs.end(), std::back_inserter(expected),
               [](const Ref& x) { return !x.cancelled; });
  std::stable_sort(expected.begin(), expected.end(),
                   [](const Ref& a, const Ref& b) { return a.t < b.t; });
  ASSERT_EQ(c.size(), expected.size());
  for (const Ref& e : expected) {
    const Calendar::Fired f = c.pop();
    ASSERT_EQ(f.time, e.t);
    ASSERT_EQ(f.data, e.seq);
  }
}

// The discrete-event pattern: pop, then schedule from the handler (the calendar refills its vacant
// root with the new entry), mixed with cancellations, peeks and clears, while the number pending
// grows past the calendar's small-heap size (4096) and shrinks again. Every pop must be the
// smallest (time, priority, sequence) of a reference ordered set.
TEST(EventCalendar, InterleavedPopScheduleCancelMatchesOrderedReference) {
  Calendar c;
  RandomStream rng(7);
  using Key = std::tuple<double, int, std::uint64_t>;  // time, priority, sequence
  std::set<Key> reference;
  std::vector<std::pair<EventId, Key>> handles;
  std::uint64_t seq = 0;
  double now = 0.0;
  std::size_t max_pending = 0;
  const auto schedule = [&] {
    const double t = now + std::floor(rng.uniform01() * 8.0) * 0.25;  // many ties, some at now
    const int priority = static_cast<int>(rng.below(3));
    const Key k{t, priority, seq};
    handles.emplace_back(c.schedule(t, 0, seq, static_cast<Priority>(priority)), k);
    reference.insert(k);
    ++seq;
  };
  const auto pop_and_check = [&] {
    ASSERT_FALSE(reference.empty());
    ASSERT_EQ(c.next_time(), std::get<0>(*reference.begin()));
    const Calendar::Fired f = c.pop();
    ASSERT_EQ(f.data, std::get<2>(*reference.begin()));
    ASSERT_EQ(f.time, std::get<0>(*reference.begin()));
    ASSERT_GE(f.time, now);
    now = f.time;
    reference.erase(reference.begin());
  };
  for (int phase = 0; phase < 4; ++phase) {
    const std::size_t target = phase % 2 == 0 ? 10000 : 20;
    for (int step = 0; step < 60000; ++step) {
      const std::size_t before = reference.size();
      if (!reference.empty()) pop_and_check();
      if (before <= target) schedule();  // the handler's usual one event
      if (before < target) schedule();   // grow
      max_pending = std::max(max_pending, reference.size());
      if (rng.below(10) == 0 && !handles.empty()) {
        const auto& [id, k] = handles[rng.below(handles.size())];
        ASSERT_EQ(c.cancel(id), reference.erase(k) == 1);
      }
      if (handles.size() > 100000) handles.clear();
      ASSERT_EQ(c.size(), reference.size());
    }
  }
  EXPECT_GT(max_pending, 9000u);
  while (!reference.empty()) pop_and_check();
  EXPECT_TRUE(c.empty());
  // After a pop whose root was left vacant, clear() drops exactly what is pending.
  for (int i = 0; i < 5; ++i) schedule();
  c.pop();
  c.clear();
  EXPECT_TRUE(c.empty());
  c.schedule(1.0, 0, 42);
  EXPECT_EQ(c.pop().data, 42u);
}

TEST(Simulator, RunUntilStopsAtHorizonAndKeepsLaterEvents) {
  Recorder r;
  Simulator<Recorder, TestEvent> sim(r);
  sim.at(1.0, TestEvent::tick, 1);
  sim.at(2.0, TestEvent::tick, 2);
  const EventId later = sim.at(3.5, TestEvent::tick, 3);
  EXPECT_TRUE(sim.run_until(3.0));
  EXPECT_EQ(r.seen, (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(sim.now(), 3.0);
  EXPECT_TRUE(sim.pending(later));
  EXPECT_EQ(sim.events_fired(), 2u);
}

TEST(Simulator, EventBudgetStopsTheRun) {
  Recorder r;
  Simulator<Recorder, TestEvent> sim(r);
  for (int i = 0; i < 10; ++i) sim.at(i, TestEvent::tick, static_cast<std::uint64_t>(i));
  EXPECT_FALSE(sim.run_until(100.0, 4));
  EXPECT_EQ(r.seen.size(), 4u);
}

TEST(RandomStream, SameNameSameDrawsOtherNameOtherDraws) {
  RandomStream a(42, 0, "service/api/work"), b(42, 0, "service/api/work");
  RandomStream c(42, 0, "service/db/work"), d(42, 1, "service/api/work");
  for (int i = 0; i < 100; ++i) {
    const double x = a.uniform01();
    EXPECT_EQ(x, b.uniform01());
    EXPECT_NE(x, c.uniform01());
    EXPECT_NE(x, d.uniform01());
  }
}

TEST(RandomStream, UniformIsOpenAndBelowIsInRange) {
  RandomStream rng(1);
  double lo = 1.0, hi = 0.0, sum = 0.0;
  for (int i = 0; i < 100000; ++i) {
    const double u = rng.uniform01();
    lo = std::min(lo, u);
    hi = std::max(hi, u);
    sum += u;
    EXPECT_LT(rng.below(7), 7u);
  }
  EXPECT_GT(lo, 0.0);
  EXPECT_LT(hi, 1.0);
  EXPECT_NEAR(sum / 100000, 0.5, 0.005);
}

}  // namespace
}  // namespace capsim::sim
