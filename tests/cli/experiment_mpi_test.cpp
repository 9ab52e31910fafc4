// With MPI (-DCAPSIM_MPI=ON): a sweep, a size and a compare spread over two ranks write the same
// bytes as a single process. mpirun runs as root in CI containers only with
// OMPI_ALLOW_RUN_AS_ROOT(_CONFIRM), and needs --oversubscribe where there are fewer cores than
// ranks.

#include <cstdlib>
#include <string>
#include <tuple>
#include <vector>

#include "cli_support.hpp"

namespace capsim::cli_test {
namespace {

#ifdef CAPSIM_MPIEXEC
/// Runs `mpirun -np 2 capsim ARGS...` in the sandbox; returns its exit status.
int mpirun2(Sandbox& box, const std::vector<std::string>& args, std::string& log) {
  // Built piecewise: GCC 12 warns falsely (-Wrestrict) about "literal" + std::string.
  std::string command = "cd ";
  command += shell_quote(box.work().string());
  command += " && OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 ";
  command += "OMPI_MCA_rmaps_base_oversubscribe=1 ";
  command += shell_quote(CAPSIM_MPIEXEC);
  command += " --oversubscribe -np 2 ";
  command += shell_quote(capsim_binary().string());
  for (const std::string& a : args) {
    command += ' ';
    command += shell_quote(a);
  }
  const fs::path out = box.work().parent_path() / "mpirun.log";
  command += " > ";
  command += shell_quote(out.string());
  command += " 2>&1";
  const int status = std::system(command.c_str());
  log = read_text(out);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
#endif

TEST(Mpi, TwoRanksWriteWhatOneProcessWrites) {
#ifndef CAPSIM_MPIEXEC
  GTEST_SKIP() << "capsim built without MPI (-DCAPSIM_MPI=ON)";
#else
  Sandbox box;
  write_text(box / "model.json", R"({
    "simulation": { "duration": "400s", "warmup": "20s", "replications": 3, "seed": 4 },
    "workloads": [ { "name": "w", "target": "s", "rate": 30 } ],
    "services": { "s": { "replicas": 4, "workers": 1, "load_balancer": { "policy": "random" },
                         "steps": [ { "work": { "dist": "exponential", "mean": "100ms" } } ] } },
    "slo": { "latency": { "p99": "1.5s" } }
  })");
  write_text(box / "sweep.json", R"({ "kind": "sweep", "model": "model.json",
    "parameters": [ { "pointer": "/workloads/0/rate", "range": { "from": 10, "to": 30, "steps": 5 } },
                    { "pointer": "/services/s/replicas", "values": [4, 5] } ],
    "metrics": [ "workloads.w.latency_ms.p99", "services.s.cpu_utilization" ] })");
  write_text(box / "size.json", R"({ "kind": "size", "model": "model.json", "services": ["s"] })");
  write_text(box / "cmp.json", R"({ "kind": "compare", "model": "model.json",
    "variants": { "random": [], "rr": [ { "pointer": "/services/s/load_balancer/policy", "value": "round_robin" } ] } })");
  const RunResult version = box.run({"--version"});
  ASSERT_NE(version.out.find("(MPI)"), std::string::npos) << version;
  for (const auto& [kind, file, out] :
       std::vector<std::tuple<std::string, std::string, std::string> >{
           {"sweep", "sweep.json", "sweep.csv"},
           {"sweep", "sweep.json", "sweep.json"},
           {"size", "size.json", "size.out.json"},
           {"compare", "cmp.json", "cmp.out.json"}}) {
    const RunResult single = box.run({kind, file, "-o", "single-" + out, "--threads", "1", "-q"});
    ASSERT_EQ(single.status, 0) << single;
    std::string log;
    ASSERT_EQ(mpirun2(box, {kind, file, "-o", "mpi-" + out, "--threads", "1", "-q"}, log), 0)
        << log;
    EXPECT_EQ(read_text(box / ("mpi-" + out)), read_text(box / ("single-" + out))) << kind;
  }
#endif
}

}  // namespace
}  // namespace capsim::cli_test
