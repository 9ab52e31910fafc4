// capsim import k8s: quantities as Kubernetes reads them; Deployments, HPAs (autoscaling/v2 and
// v1) and KEDA ScaledObjects, written as their documentation shows them, mapped as
// docs/import.md says; bad manifests refused naming the file, document, pointer and line.

#include <gtest/gtest.h>

#include "capsim/import/k8s.hpp"
#include "capsim/model/error.hpp"
#include "capsim/model/load.hpp"
#include "test_paths.hpp"

namespace capsim::import {
namespace {

Fragment convert(const std::string& yaml) {
  return import_k8s(parse_manifests(yaml, "m.yaml"));
}

std::string refusal(const std::string& yaml) {
  try {
    convert(yaml);
  } catch (const model::ModelError& e) {
    return e.what();
  }
  return "(accepted)";
}

bool has_warning(const Fragment& f, const std::string& part) {
  for (const std::string& w : f.warnings) {
    if (w.find(part) != std::string::npos) return true;
  }
  return false;
}

TEST(K8sQuantity, SuffixesAsKubernetesReadsThem) {
  EXPECT_DOUBLE_EQ(*parse_quantity("500m"), 0.5);
  EXPECT_DOUBLE_EQ(*parse_quantity("2"), 2.0);
  EXPECT_DOUBLE_EQ(*parse_quantity("1.5"), 1.5);
  EXPECT_DOUBLE_EQ(*parse_quantity(".5"), 0.5);
  EXPECT_DOUBLE_EQ(*parse_quantity("1Gi"), 1073741824.0);
  EXPECT_DOUBLE_EQ(*parse_quantity("256Mi"), 268435456.0);
  EXPECT_DOUBLE_EQ(*parse_quantity("64Ki"), 65536.0);
  EXPECT_DOUBLE_EQ(*parse_quantity("129M"), 129e6);
  EXPECT_DOUBLE_EQ(*parse_quantity("100k"), 1e5);
  EXPECT_DOUBLE_EQ(*parse_quantity("1e3"), 1000.0);
  EXPECT_DOUBLE_EQ(*parse_quantity("12E-1"), 1.2);
  EXPECT_DOUBLE_EQ(*parse_quantity("1E"), 1e18);  // exa, not an exponent
  EXPECT_DOUBLE_EQ(*parse_quantity("250u"), 250e-6);
  for (const char* bad : {"", "m", "Mi", "1.5.0", "10 Mi", "1mi", "1Gb", "1KI", "0x10", "1e"}) {
    EXPECT_FALSE(parse_quantity(bad).has_value()) << bad;
  }
}

// The HPA walkthrough's php-apache: requests 200m (limit 500m), `kubectl autoscale ...
// --cpu-percent=50
// --min=1 --max=10` as autoscaling/v2.
const char* kPhpApache = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: php-apache
spec:
  selector:
    matchLabels:
      run: php-apache
  template:
    metadata:
      labels:
        run: php-apache
    spec:
      containers:
      - name: php-apache
        image: registry.k8s.io/hpa-example
        ports:
        - containerPort: 80
        resources:
          limits:
            cpu: 500m
          requests:
            cpu: 200m
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: php-apache
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: php-apache
  minReplicas: 1
  maxReplicas: 10
  metrics:
  - type: Resource
    resource:
      name: cpu
      target:
        type: Utilization
        averageUtilization: 50
)";

TEST(ImportK8s, HpaWalkthroughKeepsTheCoresOfUsageAtTheTarget) {
  const Fragment f = convert(kPhpApache);
  const Json& s = f.model["services"]["php-apache"];
  EXPECT_FALSE(s.contains("replicas"));  // not in the Deployment: the HPA's min
  EXPECT_EQ(s["cores"], 1);              // 200m on whole cores
  // 50 % of 200m is 0.1 core of usage per pod: 0.1 of the model's one core.
  EXPECT_EQ(s["autoscaling"], Json::parse(R"({"kind": "hpa", "min": 1, "max": 10,
                                              "metric": "cpu", "target": 0.1})"));
  EXPECT_TRUE(has_warning(f,
                          "m.yaml document 1 (Deployment php-apache): "
                          "/spec/template/spec/containers: cpu request 0.2 cores modelled as 1"));
  // Its limit, 500m, is below the model's whole core: CFS throttles the pod at half a core, so
  // the model's one core would double its capacity (it said "not modelled" alone).
  EXPECT_TRUE(has_warning(f,
                          "cpu limit 0.5 cores: the pod is throttled at 0.5 cores of CPU time per "
                          "second, but the model gives it 1 whole core(s), 2 times the capacity: "
                          "multiply this service's work by 2"));
  EXPECT_FALSE(s.contains("memory"));
}

TEST(ImportK8s, APodWithoutACpuRequestIsWarnedAbout) {
  // No request (or 0) becomes 1 whole core, as a request of 1m does, but was said only for 1m.
  const Fragment f = convert(R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  template:
    spec:
      containers:
      - name: web
        image: web
        resources: {requests: {cpu: "0"}}
)");
  EXPECT_EQ(f.model["services"]["web"]["cores"], 1);
  EXPECT_TRUE(has_warning(f, "cpu request 0: modelled as 1 whole core")) << f.warnings.size();
}

TEST(ImportK8s, DefaultMetricIs80PercentCpuAndV1IsRead) {
  std::string v2 = kPhpApache;
  v2 = v2.substr(0, v2.find("  metrics:"));
  v2 = std::string(v2).replace(v2.find("cpu: 200m"), 9, "cpu: \"2\"");
  EXPECT_EQ(convert(v2).model["services"]["php-apache"]["autoscaling"]["target"], 0.8);
  std::string v1 = v2;
  v1.replace(v1.find("autoscaling/v2"), 14, "autoscaling/v1");
  v1 += "  targetCPUUtilizationPercentage: 50\n";
  const Json a = convert(v1).model["services"]["php-apache"]["autoscaling"];
  EXPECT_EQ(a["metric"], "cpu");
  EXPECT_EQ(a["target"], 0.5);  // 50 % of 2 cores on 2 cores
}

TEST(ImportK8s, BehaviorMetricsAndMemoryMapToTheModelsKeys) {
  std::string yaml = kPhpApache;
  yaml.replace(yaml.find("            cpu: 500m"), 21,
               "            cpu: \"1\"\n            memory: 1Gi");
  yaml.replace(yaml.find("            cpu: 200m"), 21,
               "            cpu: \"1\"\n            memory: 512Mi");
  yaml += R"(  - type: Resource
    resource:
      name: memory
      target:
        type: AverageValue
        averageValue: 384Mi
  - type: Pods
    pods:
      metric:
        name: packets-per-second
      target:
        type: AverageValue
        averageValue: 1k
  - type: Object
    object:
      metric:
        name: requests-per-second
      describedObject:
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        name: main-route
      target:
        type: Value
        value: 10k
  - type: External
    external:
      metric:
        name: queue_messages_ready
        selector:
          matchLabels:
            queue: worker_tasks
      target:
        type: AverageValue
        averageValue: 30
  behavior:
    scaleDown:
      policies:
      - type: Pods
        value: 4
        periodSeconds: 60
      - type: Percent
        value: 10
        periodSeconds: 60
      selectPolicy: Min
      stabilizationWindowSeconds: 600
    scaleUp:
      selectPolicy: Disabled
)";
  const Fragment f = convert(yaml);
  const Json& s = f.model["services"]["php-apache"];
  EXPECT_EQ(s["memory"], Json::parse(R"({"request_mib": 512, "limit_mib": 1024})"));
  EXPECT_EQ(s["autoscaling"]["metric"], Json::parse(R"([
      {"metric": "cpu", "target": 0.5}, {"metric": "memory", "target": 0.75},
      {"metric": "queue_length", "target": 30}])"));
  EXPECT_EQ(s["autoscaling"]["behavior"], Json::parse(R"({
      "scale_down": {"policies": [{"type": "pods", "value": 4, "period": "60s"},
                                  {"type": "percent", "value": 10, "period": "60s"}],
                     "select": "min", "stabilization_window": "600s"},
      "scale_up": {"select": "disabled"}})"));
  EXPECT_TRUE(
      has_warning(f, "/spec/metrics/2/pods: not modelled (the metric \"packets-per-second\""));
  EXPECT_TRUE(has_warning(f, "/spec/metrics/3/object: not modelled (target type Value"));
  EXPECT_TRUE(has_warning(f,
                          "/spec/metrics/4/external: \"queue_messages_ready\" modelled as the "
                          "model's queue_length per replica"));
  EXPECT_TRUE(has_warning(f, "memory: add baseline_mib"));
}

// KEDA's documentation: a ScaledObject with its defaults, and a RabbitMQ trigger.
TEST(ImportK8s, KedaScaledObjectFromZeroAndAboveOne) {
  const std::string deployment = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: consumer, namespace: jobs}
spec:
  template:
    spec:
      containers: [{name: c, image: x, resources: {requests: {cpu: "1"}}}]
---
)";
  const std::string so = R"(apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: consumer-scaler, namespace: jobs}
spec:
  scaleTargetRef: {name: consumer}
  triggers:
  - type: rabbitmq
    metadata: {queueName: q, mode: QueueLength, value: "20", activationValue: "2"}
  - type: cpu
    metricType: Utilization
    metadata: {value: "60"}
)";
  Fragment f = convert(deployment + so);
  EXPECT_EQ(f.model["services"]["consumer"]["autoscaling"], Json::parse(R"({
      "kind": "keda", "min": 0, "max": 100, "metric": "queue_length", "target": 20,
      "activation_threshold": 2, "polling_interval": "30s", "cooldown_period": "300s"})"));
  EXPECT_TRUE(
      has_warning(f, "/spec/triggers/1: not modelled (cpu and memory do not exist at zero"));
  std::string above_one = so;
  above_one.replace(above_one.find("  triggers:"), 0,
                    "  minReplicaCount: 2\n  maxReplicaCount: 8\n  pollingInterval: 10\n");
  f = convert(deployment + above_one);
  EXPECT_EQ(f.model["services"]["consumer"]["autoscaling"], Json::parse(R"({
      "kind": "hpa", "min": 2, "max": 8,
      "metric": [{"metric": "queue_length", "target": 20}, {"metric": "cpu", "target": 0.6}]})"));
  EXPECT_TRUE(has_warning(f, "/spec/pollingInterval: not modelled (with minReplicaCount >= 1"));
}

// KEDA's aws-sqs-queue scaler counts the queue's visible and in-flight messages
// (ApproximateNumberOfMessages + ApproximateNumberOfMessagesNotVisible): the model's
// queue_messages, on a queue service named after the queue's URL and consumed by the target.
TEST(ImportK8s, KedaSqsTriggerScalesTheConsumerOnQueueMessages) {
  const std::string deployment = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: mailer}
spec:
  template:
    spec:
      containers: [{name: c, image: x, resources: {requests: {cpu: "1"}}}]
---
)";
  const std::string so = R"(apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: mailer-scaler}
spec:
  scaleTargetRef: {name: mailer}
  minReplicaCount: 0
  maxReplicaCount: 40
  triggers:
  - type: aws-sqs-queue
    metadata:
      queueURL: https://sqs.eu-west-1.amazonaws.com/123456789012/emails
      queueLength: "10"
      activationQueueLength: "3"
      awsRegion: eu-west-1
)";
  Fragment f = convert(deployment + so);
  EXPECT_EQ(f.model["services"]["mailer"]["autoscaling"], Json::parse(R"({
      "kind": "keda", "min": 0, "max": 40, "metric": "queue_messages", "target": 10,
      "activation_threshold": 3, "polling_interval": "30s", "cooldown_period": "300s"})"));
  EXPECT_EQ(f.model["services"]["emails"],
            Json::parse(R"({"kind": "queue", "consumer": "mailer"})"));
  EXPECT_TRUE(has_warning(f, "queue service 'emails' added for mailer"));

  // The fragment completes into a model that loads: the consumer scales on the queue.
  Json model = f.model;
  model["services"]["mailer"]["steps"] = Json::parse(R"([{"work": "50ms"}])");
  model["workloads"] = Json::parse(R"([{"name": "w", "target": "emails", "rate": 10}])");
  const model::Spec spec = model::load(model, ".");
  const auto& metric = spec.services[0].autoscaling->metrics[0];
  EXPECT_EQ(metric.metric, model::ScaleMetric::queue_messages);
  EXPECT_DOUBLE_EQ(metric.target, 10.0);
  EXPECT_EQ(spec.services[1].queue->consumer, "mailer");

  // metricType Value: the target is the queue's total (target_type value); the queue's URL from
  // the environment: the queue is named after its consumer; not counting in-flight messages is
  // warned about (the model's metric counts them).
  std::string value = so;
  value.replace(value.find("  - type: aws-sqs-queue\n"), 24,
                "  - type: aws-sqs-queue\n    metricType: Value\n");
  value.replace(value.find("      queueURL: https"), 71,
                "      queueURLFromEnv: QUEUE_URL\n      scaleOnInFlight: \"false\"");
  f = convert(deployment + value);
  EXPECT_EQ(f.model["services"]["mailer"]["autoscaling"]["target_type"], "value");
  EXPECT_EQ(f.model["services"]["mailer-queue"]["consumer"], "mailer");
  EXPECT_TRUE(has_warning(f, "/spec/triggers/0/metadata/scaleOnInFlight: not modelled"));
  // Above zero, the HPA that KEDA creates scales on the same metric.
  std::string above = so;
  above.replace(above.find("minReplicaCount: 0"), 18, "minReplicaCount: 1");
  f = convert(deployment + above);
  EXPECT_EQ(f.model["services"]["mailer"]["autoscaling"], Json::parse(R"({
      "kind": "hpa", "min": 1, "max": 40, "metric": "queue_messages", "target": 10})"));
}

TEST(ImportK8s, BadManifestsNameTheDocumentPointerAndLine) {
  std::string typo = kPhpApache;
  typo.replace(typo.find("kind: Deployment\nmetadata"), 16, "kind: Deploymnet");
  EXPECT_EQ(refusal(typo),
            "m.yaml document 1 (Deploymnet php-apache): /kind: expected one of: Deployment, "
            "StatefulSet, ReplicaSet, HorizontalPodAutoscaler, ScaledObject (or a kind that is "
            "not modelled, such as Service), found \"Deploymnet\"; did you mean 'Deployment'? "
            "(m.yaml: line 2, column 7)");
  std::string missing = kPhpApache;
  missing.replace(missing.find("    name: php-apache\n  minReplicas"), 20, "    name: php-apach");
  EXPECT_EQ(refusal(missing),
            "m.yaml document 2 (HorizontalPodAutoscaler php-apache): /spec/scaleTargetRef/name: "
            "expected a Deployment in namespace default (php-apache), found \"php-apach\"; did "
            "you mean 'php-apache'? (m.yaml: line 33, column 11)");
  // The right name with the wrong kind: the kind is what is wrong (it said "did you mean
  // 'php-apache'?" about php-apache).
  std::string kind = kPhpApache;
  kind.replace(kind.find("kind: Deployment\n    name: php-apache"), 16, "kind: StatefulSet");
  EXPECT_EQ(refusal(kind).rfind("m.yaml document 2 (HorizontalPodAutoscaler php-apache): "
                                "/spec/scaleTargetRef/kind: expected the kind of \"php-apache\", "
                                "which is a Deployment, found StatefulSet (m.yaml: line ",
                                0),
            0u);
  std::string quantity = kPhpApache;
  quantity.replace(quantity.find("cpu: 200m"), 9, "cpu: 200mc");
  EXPECT_EQ(refusal(quantity),
            "m.yaml document 1 (Deployment php-apache): "
            "/spec/template/spec/containers/0/resources/requests/cpu: expected a quantity such as "
            "\"500m\", \"2\" or \"256Mi\", found \"200mc\" (m.yaml: line 23, column 18)");
  std::string huge = kPhpApache;
  huge.replace(huge.find("cpu: 200m"), 9, "cpu: 1e12");
  EXPECT_NE(refusal(huge).find("expected a pod cpu request of at most 100000 cores, found 1e+12"),
            std::string::npos)
      << refusal(huge);
  std::string no_max = kPhpApache;
  no_max.replace(no_max.find("  maxReplicas: 10\n"), 18, "");
  EXPECT_NE(refusal(no_max).find("/spec/maxReplicas: missing"), std::string::npos);
  const std::string bomb =
      "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, "
      "*c]\n"
      "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, "
      "*e]\n";
  EXPECT_NE(refusal("kind: Service\n---\n" + bomb).find("alias bomb"), std::string::npos);
}

TEST(ImportK8s, MinReplicasBelowOneSaysWhatItAccepts) {
  std::string negative = kPhpApache;
  negative.replace(negative.find("minReplicas: 1"), 14, "minReplicas: -1");
  // It said "from 0 to 100000", then refused 0.
  EXPECT_NE(refusal(negative).find("/spec/minReplicas: expected an integer from 1 to 100000"),
            std::string::npos)
      << refusal(negative);
  std::string zero = kPhpApache;
  zero.replace(zero.find("minReplicas: 1"), 14, "minReplicas: 0");
  EXPECT_NE(refusal(zero).find("expected >= 1, found 0 (the alpha HPAScaleToZero gate"),
            std::string::npos)
      << refusal(zero);
}

TEST(ImportK8s, MalformedContainersAndHugeMemoryAreRefused) {
  // They were read as "no request" (a BestEffort warning), or summed to infinity (null).
  std::string text = kPhpApache;
  text.replace(text.find("      - name: php-apache\n"), 0, "      - just-a-string\n");
  EXPECT_NE(refusal(text).find("/spec/template/spec/containers/0: expected a container (an "
                               "object), found \"just-a-string\""),
            std::string::npos)
      << refusal(text);
  std::string requests = kPhpApache;
  const std::string block = "          requests:\n            cpu: 200m\n";
  requests.replace(requests.find(block), block.size(), "          requests: lots\n");
  EXPECT_NE(refusal(requests).find("/resources/requests: expected an object such as"),
            std::string::npos)
      << refusal(requests);
  std::string memory = kPhpApache;
  memory.replace(memory.find("cpu: 200m"), 9, "cpu: 200m\n            memory: 1e308");
  EXPECT_NE(refusal(memory).find("expected a pod memory request of at most 1Pi, found"),
            std::string::npos)
      << refusal(memory);
}

TEST(ImportK8s, JsonManifestsNameTheLineAndColumnToo) {
  const std::string json = R"({"apiVersion": "apps/v1", "kind": "Deployment",
 "metadata": {"name": "web"},
 "spec": {"replicas": "three"}})";
  try {
    import_k8s(parse_manifests(json, "m.json"));
    FAIL() << "accepted";
  } catch (const model::ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("/spec/replicas: expected "), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("(m.json: line 3, column 23)"), std::string::npos)
        << e.what();
  }
  try {
    parse_manifests("{\"kind\": \"Deployment\",\n \"kind\": \"Service\"}", "d.json");
    FAIL() << "accepted";
  } catch (const model::ModelError& e) {
    EXPECT_STREQ(e.what(),
                 "/kind: duplicate key; expected each key once in an object (d.json: line 2, "
                 "column 2)");
  }
}

TEST(ImportK8s, OtherKindsAndCustomResourcesAreWarnedAbout) {
  const Fragment f =
      convert(std::string(kPhpApache) +
              "---\napiVersion: v1\nkind: Service\nmetadata: {name: s}\n---\n"
              "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: c}\n");
  EXPECT_TRUE(has_warning(f, "m.yaml document 3 (Service s): /: not modelled (a Service does not"));
  EXPECT_TRUE(has_warning(f,
                          "m.yaml document 4 (Certificate c): /: not modelled (a custom "
                          "resource of cert-manager.io)"));
}

TEST(ImportK8s, DocsExamplesCompleteIntoAModelThatLoads) {
  // The fragment of docs/examples/import, with endpoints, a baseline and a workload added.
  std::vector<Manifest> manifests = read_manifests(std::string(capsim::test::source_dir_path()) +
                                                   "/docs/examples/import/k8s-api.yaml");
  for (Manifest& m : read_manifests(std::string(capsim::test::source_dir_path()) +
                                    "/docs/examples/import/k8s-worker.yaml")) {
    manifests.push_back(std::move(m));
  }
  const Fragment f = import_k8s(manifests);
  ASSERT_EQ(f.warnings.size(), 5u);
  Json model = f.model;
  for (const char* s : {"api", "worker"}) {
    model["services"][s]["steps"] = Json::parse(R"([{"work": "5ms"}])");
    model["services"][s]["memory"]["baseline_mib"] = 200;
  }
  model["workloads"] = Json::parse(R"([{"name": "w", "target": "api", "rate": 10}])");
  const model::Spec spec = model::load(model, ".");
  ASSERT_EQ(spec.services.size(), 2u);
  EXPECT_EQ(spec.services[0].replicas, 3);
  EXPECT_EQ(spec.services[1].autoscaling->kind, model::AutoscalerKind::keda);
}

}  // namespace
}  // namespace capsim::import
