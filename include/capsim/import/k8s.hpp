#pragma once
/// \file `capsim import k8s`: Kubernetes manifests (Deployment or StatefulSet, a
/// HorizontalPodAutoscaler autoscaling/v2 or v1, a KEDA ScaledObject) -> model fragments: one
/// service per workload with its replicas, cores, memory and autoscaling. docs/import.md lists
/// the mapping and what is not modelled.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "capsim/import/k6.hpp"
#include "capsim/model/document.hpp"

namespace capsim::import {

/// A Kubernetes resource quantity in its base unit (cores for cpu, bytes for memory):
/// a decimal number with an optional suffix, binary (Ki Mi Gi Ti Pi Ei: powers of 1024),
/// decimal (n u m k M G T P E: powers of 1000) or an exponent (e3, E-2); "500m" is 0.5, "1Gi"
/// 1073741824, "1e3" 1000. None for anything else (an empty text, "1.5.0", "10 Mi", "1mi").
std::optional<double> parse_quantity(std::string_view text);

/// One object of a manifest: a document of a file, or an item of a `kind: List`.
struct Manifest {
  model::Json object;
  std::string source;                ///< the file's name, as messages show it
  std::size_t document = 1;          ///< 1-based among the file's non-empty documents
  std::string pointer;               ///< "" for a document, "/items/N" for an item of a List
  model::SourcePositions positions;  ///< empty for JSON
};

/// Reads the manifests of one file: YAML (a stream of documents separated by `---`) or JSON
/// (one object); a `kind: List` becomes its items. Throws model::ModelError naming the file,
/// line and column (syntax errors, alias bombs, a document that is not an object).
std::vector<Manifest> read_manifests(const std::string& path);
/// The same for `text` named `source` (YAML or JSON as model::document_format says).
std::vector<Manifest> parse_manifests(std::string_view text, const std::string& source);

/// Converts the manifests into `{ "services": { NAME: { ... } } }`. A Deployment or StatefulSet
/// becomes a service (replicas; cores from the pod's cpu request; memory request and limit);
/// an HPA or a ScaledObject becomes its target's `autoscaling`, joined by scaleTargetRef's name
/// within the namespace. Refuses with model::ModelError naming the file, the document, the
/// pointer and (YAML) the line and column: an unknown kind, a target that is not among the
/// manifests, a bad quantity, a missing required key, a second autoscaler for one workload.
/// Warns ("SOURCE document N (Kind name): POINTER: not modelled (why)") about each field that
/// matters to capacity but is not modelled.
Fragment import_k8s(const std::vector<Manifest>& manifests);

}  // namespace capsim::import
