#include "capsim/run/codec.hpp"

#include <cstring>
#include <stdexcept>

#include "capsim/net/network.hpp"

namespace capsim::run {

namespace {

// Fixed-width fields in the host's byte order: every process of a job runs the same binary on
// the same kind of machine.
class Writer {
 public:
  void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u64(std::uint64_t v) {
    char bytes[8];
    std::memcpy(bytes, &v, 8);
    out_.append(bytes, 8);
  }
  void f64(double v) {
    std::uint64_t bits = 0;
    std::memcpy(&bits, &v, 8);
    u64(bits);
  }
  void str(std::string_view s) {
    u64(s.size());
    out_ += s;
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  /// `what` names the thing read, for the error messages ("summary", "report").
  Reader(std::string_view in, const char* what) : in_(in), what_(what) {}
  std::uint8_t u8() {
    need(1);
    return static_cast<std::uint8_t>(in_[pos_++]);
  }
  std::uint64_t u64() {
    need(8);
    std::uint64_t v = 0;
    std::memcpy(&v, in_.data() + pos_, 8);
    pos_ += 8;
    return v;
  }
  double f64() {
    const std::uint64_t bits = u64();
    double v = 0.0;
    std::memcpy(&v, &bits, 8);
    return v;
  }
  std::string_view view() {
    const std::uint64_t size = u64();
    need(size);
    const std::string_view s = in_.substr(pos_, size);
    pos_ += size;
    return s;
  }
  std::string str() { return std::string(view()); }
  /// A count of items that each take at least one byte: larger than what is left is corrupt.
  std::uint64_t count() {
    const std::uint64_t n = u64();
    if (n > in_.size() - pos_) fail("corrupt");
    return n;
  }
  void finish() const {
    if (pos_ != in_.size()) fail("trailing bytes after the");
  }
  [[noreturn]] void fail(const char* problem) const {
    throw std::runtime_error(std::string("deserialize: ") + problem + " " + what_);
  }

 private:
  void need(std::uint64_t bytes) const {
    if (bytes > in_.size() - pos_) fail("truncated");
  }
  std::string_view in_;
  const char* what_;
  std::size_t pos_ = 0;
};

constexpr std::uint64_t kMagic = 0x3176'6d6d'7573'6373;  // "csummv1" little-endian-ish tag

}  // namespace

std::string serialize(const stats::Summary& summary) {
  Writer w;
  w.u64(kMagic);
  w.u64(summary.metrics.size());
  for (const stats::Metric& m : summary.metrics) {
    w.u64(m.path.size());
    for (const std::string& p : m.path) w.str(p);
    w.f64(m.value);
    w.u8(static_cast<std::uint8_t>(m.merge));
  }
  w.u64(summary.notices.size());
  for (const std::string& notice : summary.notices) w.str(notice);
  w.u64(summary.events);
  w.f64(summary.measured_s);
  w.u64(summary.counts.scale_changes);
  w.u64(summary.counts.breaker_transitions);
  w.u64(summary.counts.call_retries);
  w.u64(summary.counts.call_timeouts);
  w.u64(summary.counts.breaker_refusals);
  return w.take();
}

stats::Summary deserialize(std::string_view bytes) {
  Reader r(bytes, "summary");
  if (r.u64() != kMagic) r.fail("not a serialised");
  stats::Summary s;
  s.metrics.resize(r.count());
  for (stats::Metric& m : s.metrics) {
    m.path.resize(r.count());
    for (std::string& p : m.path) p = r.str();
    m.value = r.f64();
    const std::uint8_t merge = r.u8();
    if (merge > static_cast<std::uint8_t>(stats::Merge::max)) r.fail("corrupt");
    m.merge = static_cast<stats::Merge>(merge);
  }
  s.notices.resize(r.count());
  for (std::string& notice : s.notices) notice = r.str();
  s.events = r.u64();
  s.measured_s = r.f64();
  s.counts.scale_changes = r.u64();
  s.counts.breaker_transitions = r.u64();
  s.counts.call_retries = r.u64();
  s.counts.call_timeouts = r.u64();
  s.counts.breaker_refusals = r.u64();
  r.finish();
  return s;
}

TaskFailure describe_failure(const std::exception_ptr& error) {
  TaskFailure f;
  if (!error) return f;
  try {
    std::rethrow_exception(error);
  } catch (const net::SimulationError& e) {
    f.kind = 1;
    f.time_s = e.time_s();
    // what() is "at t = T s: MESSAGE"; keep MESSAGE so that rethrowing rebuilds the same text.
    std::string what = e.what();
    if (const auto colon = what.find(" s: ");
        what.rfind("at t = ", 0) == 0 && colon != std::string::npos) {
      what.erase(0, colon + 4);
    }
    f.what = what;
  } catch (const std::exception& e) {
    f.kind = 2;
    f.what = e.what();
  } catch (...) {
    f.kind = 2;
    f.what = "unknown failure";
  }
  return f;
}

void rethrow_failure(const TaskFailure& failure) {
  if (failure.kind == 1) throw net::SimulationError(failure.time_s, failure.what);
  throw std::runtime_error(failure.what);
}

std::string encode_report(const ShareReport& report) {
  Writer w;
  w.u64(static_cast<std::uint64_t>(report.status));
  w.u64(report.failed_task);
  w.u64(static_cast<std::uint64_t>(report.failure.kind));
  w.f64(report.failure.time_s);
  w.str(report.failure.what);
  w.u64(report.finished.size());
  for (const auto& [task, summary] : report.finished) {
    w.u64(task);
    w.str(serialize(summary));
  }
  return w.take();
}

ShareReport decode_report(std::string_view bytes) {
  Reader r(bytes, "report");
  ShareReport report;
  const std::uint64_t status = r.u64();
  if (status > static_cast<std::uint64_t>(ShareReport::Status::failed)) r.fail("corrupt");
  report.status = static_cast<ShareReport::Status>(status);
  report.failed_task = r.u64();
  const std::uint64_t kind = r.u64();
  if (kind > 2) r.fail("corrupt");
  report.failure.kind = static_cast<int>(kind);
  report.failure.time_s = r.f64();
  report.failure.what = r.str();
  report.finished.resize(r.count());
  for (auto& [task, summary] : report.finished) {
    task = r.u64();
    summary = deserialize(r.view());
  }
  r.finish();
  return report;
}

}  // namespace capsim::run
