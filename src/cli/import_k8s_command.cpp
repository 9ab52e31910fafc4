// capsim import k8s: services from Kubernetes manifests (src/import/k8s.cpp).

#include <CLI/CLI.hpp>

#include <iostream>

#include "capsim/import/k8s.hpp"
#include "import_commands.hpp"

namespace capsim::cli {

CLI::App* add_import_k8s_command(CLI::App& import, ImportK8sCommand& c) {
  CLI::App* k8s = import.add_subcommand(
      "k8s",
      "Kubernetes manifests (Deployment, HPA, KEDA ScaledObject) -> services with "
      "replicas, cores, memory and autoscaling");
  k8s->add_option("inputs", c.inputs, "manifest files: YAML (--- separated) or JSON")->required();
  k8s->add_option("-o,--output", c.output, "write the fragment (JSON) to this file");
  return k8s;
}

int command_import_k8s(const ImportK8sCommand& c) {
  std::vector<import::Manifest> manifests;
  for (const std::string& path : c.inputs) {
    std::vector<import::Manifest> more = import::read_manifests(path);
    for (import::Manifest& m : more) manifests.push_back(std::move(m));
  }
  const import::Fragment fragment = import::import_k8s(manifests);
  for (const std::string& w : fragment.warnings) std::cerr << "warning: " << w << '\n';
  const std::string text = fragment.model.dump(2) + "\n";
  if (c.output.empty()) {
    std::cout << text;
  } else {
    write_whole(c.output, text);
  }
  return 0;
}

}  // namespace capsim::cli
