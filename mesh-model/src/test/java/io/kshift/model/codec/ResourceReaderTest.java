package io.kshift.model.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kshift.model.event.EventCodec;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.Schemas;
import io.kshift.model.event.ValidationMessage;
import io.kshift.model.istio.VirtualServiceSpec;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResourceReaderTest {
    static final Path SAMPLES = Path.of("..", "samples", "tcp-echo");

    static ResourceReader.Parsed yaml(String text) throws BodySyntaxException {
        return ResourceReader.readBody(text.getBytes(StandardCharsets.UTF_8), BodyFormat.YAML);
    }

    /** A field the Gateway API defines but kshift does not serve is refused as such, with why, not as unknown. */
    @Test
    void upstreamFieldsNotServedSaySoAndMadeUpOnesAreUnknown() throws Exception {
        var parsed = yaml("""
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw}
                spec:
                  gatewayClassName: kshift
                  listeners:
                  - name: https
                    protocol: HTTPS
                    port: 443
                    tls: {mode: Terminate, certificateRefs: [{name: cert}]}
                    wieght: 3
                  tls:
                    frontend: {default: {validation: {caCertificateRefs: [{name: ca, kind: ConfigMap}], mood: x}}}
                    backend: {clientCertificateRef: {name: client}}
                  addresses: [{value: 10.0.0.1}]
                """);
        assertThat(parsed.errors()).extracting(m -> m.field() + ": " + m.message()).containsExactlyInAnyOrder(
                "spec.addresses: not supported: a Gateway is served on every proxy node's own address; requested"
                        + " addresses are not assigned by this kshift version",
                "spec.tls.frontend.default.validation.mood: unknown field",
                "spec.listeners[0].wieght: unknown field");
    }

    /** Istio's too: a DestinationRule field kshift does not serve says why, at its full path. */
    @Test
    void istioFieldsNotServedSaySo() throws Exception {
        var parsed = yaml("""
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: httpbin}
                spec:
                  host: httpbin
                  trafficPolicy:
                    loadBalancer:
                      simple: ROUND_ROBIN
                      localityLbSetting: {failoverPriority: [topology.istio.io/network]}
                    outlierDetection: {consecutiveErrors: 5}
                    portLevelSettings: [{port: {number: 80}, tls: {mode: SIMPLE, caCertificates: /etc/ca.pem}}]
                """);
        assertThat(parsed.errors()).extracting(m -> m.field() + ": " + m.message()).containsExactlyInAnyOrder(
                "spec.trafficPolicy.outlierDetection.consecutiveErrors: not supported: deprecated by Istio; use"
                        + " consecutive5xxErrors",
                "spec.trafficPolicy.portLevelSettings[0].tls.caCertificates: not supported: certificate files on the"
                        + " proxy are not served: put the certificate in a Secret and name it in credentialName");
    }

    /** A Sidecar's inbound side and per-port egress listeners say why they are not served. */
    @Test
    void sidecarFieldsNotServedSaySo() throws Exception {
        var parsed = yaml("""
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata: {name: default, namespace: shop}
                spec:
                  ingress: [{port: {number: 9080, protocol: HTTP, name: http}, defaultEndpoint: 127.0.0.1:8080}]
                  egress: [{port: {number: 9080, protocol: HTTP, name: http}, hosts: ["./*"], captureMode: NONE}]
                """);
        assertThat(parsed.errors()).extracting(m -> m.field() + ": " + m.message().substring(0, 15))
                .containsExactlyInAnyOrder("spec.ingress: not supported: ", "spec.egress[0].port: not supported: ",
                        "spec.egress[0].captureMode: not supported: ");
        var served = yaml("""
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata: {name: default, namespace: shop}
                spec:
                  workloadSelector: {labels: {app: web}}
                  egress: [{hosts: ["./*", "istio-system/*"]}]
                  outboundTrafficPolicy: {mode: REGISTRY_ONLY}
                """);
        assertThat(served.errors()).isEmpty();
        assertThat(served.resources()).singleElement().satisfies(r -> assertThat(
                r.specAs(io.kshift.model.istio.SidecarSpec.class).egress().get(0).hosts())
                .containsExactly("./*", "istio-system/*"));
    }

    /** As kubectl: a leading, doubled or trailing "---", or a document of comments only, is no resource. */
    @Test
    void emptyDocumentsAreSkipped() throws Exception {
        var parsed = yaml("""
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: a}
                spec: {ports: [{name: tcp, port: 9000}]}
                ---
                ---
                # only a comment here
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: b}
                spec: {ports: [{name: tcp, port: 9000}]}
                ---
                """);
        assertThat(parsed.errors()).isEmpty();
        assertThat(parsed.resources()).extracting(r -> r.name()).containsExactly("a", "b");
        assertThat(yaml("---\n").resources()).isEmpty();
    }

    @Test
    void readsTheIstioTaskFiles() throws Exception {
        var parsed = ResourceReader.readBody(Files.readAllBytes(SAMPLES.resolve("tcp-echo-20-v2.yaml")),
                BodyFormat.YAML);
        assertThat(parsed.errors()).isEmpty();
        Resource vs = parsed.resources().get(0);
        assertThat(vs.key().toString()).isEqualTo("VirtualService default/tcp-echo");
        var route = vs.specAs(VirtualServiceSpec.class).tcp().get(0).route();
        assertThat(route).extracting(r -> r.destination().subset() + "=" + r.weight()).containsExactly("v1=80", "v2=20");

        var all = ResourceReader.readBody(Files.readAllBytes(SAMPLES.resolve("gateway-api/tcp-echo-all-v1.yaml")),
                BodyFormat.YAML);
        assertThat(all.errors()).isEmpty();
        assertThat(all.resources()).extracting(r -> r.type())
                .containsExactly(Kind.KUBE_GATEWAY, Kind.SERVICE, Kind.SERVICE, Kind.TCP_ROUTE);
    }

    @Test
    void httpResourcesSurviveTheRoundTripThroughTheBus() throws Exception {
        var parsed = yaml("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: httpbin}
                spec:
                  hosts: [httpbin]
                  http:
                  - match: [{headers: {user: {exact: zhj1}}, uri: {prefix: /a}, ignoreUriCase: true, queryParams: {q: {regex: 'x.*'}}}]
                    route: [{destination: {host: httpbin, subset: v1}, weight: 90, headers: {request: {set: {a: b}}}}]
                    fault: {delay: {fixedDelay: 5s, percentage: {value: 10}}, abort: {httpStatus: 503}}
                    retries: {attempts: 3, perTryTimeout: 2s, retryOn: 'gateway-error,connect-failure'}
                    timeout: 10s
                    mirror: {host: httpbin, subset: v2}
                    mirrorPercentage: {value: 50}
                    headers: {request: {add: {x: y}, remove: [z]}, response: {set: {s: t}}}
                    rewrite: {uri: /b, authority: other}
                  - redirect: {uri: /new, redirectCode: 308}
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: httpbin}
                spec:
                  host: httpbin
                  trafficPolicy:
                    loadBalancer: {consistentHash: {httpCookie: {name: user, ttl: 10s}}}
                    connectionPool: {tcp: {maxConnections: 1}, http: {http1MaxPendingRequests: 1, maxRequestsPerConnection: 1}}
                    outlierDetection: {consecutive5xxErrors: 1, interval: 1s, baseEjectionTime: 3m, maxEjectionPercent: 100}
                  subsets: [{name: v1, labels: {version: v1}}]
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: r}
                spec:
                  parentRefs: [{name: gw}]
                  hostnames: [example.com]
                  rules:
                  - matches: [{path: {type: PathPrefix, value: /v2}, headers: [{name: x, value: y, type: RegularExpression}]}]
                    filters:
                    - {type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /}}}
                    - {type: RequestMirror, requestMirror: {backendRef: {name: m, port: 80}, percent: 10}}
                    backendRefs: [{name: httpbin, port: 8000, weight: 1}]
                    timeouts: {request: 10s}
                """);
        assertThat(parsed.errors()).isEmpty();
        String written = ResourceWriter.write(parsed.resources(), BodyFormat.YAML);
        var again = yaml(written);
        assertThat(again.errors()).as(written).isEmpty();
        assertThat(again.resources()).isEqualTo(parsed.resources());
    }

    @Test
    void collectsEveryUnknownFieldWithItsPath() throws Exception {
        var parsed = yaml("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: tcp-echo, owner: me}
                spec:
                  hosts: ["*"]
                  tcp:
                  - route:
                    - destination: {host: tcp-echo, subsett: v1}
                      wieght: 3
                  htpp: [{route: []}]
                """);
        assertThat(parsed.resources()).isEmpty();
        assertThat(parsed.errors()).extracting(ValidationMessage::field).containsExactlyInAnyOrder(
                "metadata.owner", "spec.tcp[0].route[0].destination.subsett", "spec.tcp[0].route[0].wieght",
                "spec.htpp");
        assertThat(parsed.errors()).allSatisfy(e -> {
            assertThat(e.resource()).isEqualTo("VirtualService default/tcp-echo");
            assertThat(e.message()).isEqualTo("unknown field");
        });
    }

    @Test
    void namesTheFieldOfAWrongType() throws Exception {
        var parsed = yaml("""
                apiVersion: networking.istio.io/v1beta1
                kind: VirtualService
                metadata: {name: tcp-echo, namespace: shop}
                spec:
                  tcp:
                  - route:
                    - destination: {host: tcp-echo}
                      weight: lots
                """);
        assertThat(parsed.errors()).singleElement().satisfies(e -> {
            assertThat(e.resource()).isEqualTo("VirtualService shop/tcp-echo");
            assertThat(e.field()).isEqualTo("spec.tcp[0].route[0].weight");
            assertThat(e.message()).contains("lots");
        });
    }

    @Test
    void readsDualStackServicesAndNamesABadIpFamily() throws Exception {
        var dual = yaml("""
                apiVersion: v1
                kind: Service
                metadata: {name: tcp-echo}
                spec:
                  ipFamilyPolicy: RequireDualStack
                  ipFamilies: [IPv6, IPv4]
                  ports: [{name: tcp, port: 9000}]
                  selector: {app: tcp-echo}
                """);
        assertThat(dual.errors()).isEmpty();
        var spec = dual.resources().get(0).specAs(io.kshift.model.k8s.ServiceSpec.class);
        assertThat(spec.ipFamilyPolicy()).isEqualTo(io.kshift.model.k8s.ServiceSpec.IpFamilyPolicy.RequireDualStack);
        assertThat(spec.ipFamilies()).containsExactly(io.kshift.model.k8s.ServiceSpec.IpFamily.IPv6,
                io.kshift.model.k8s.ServiceSpec.IpFamily.IPv4);
        var bad = yaml("""
                apiVersion: v1
                kind: Service
                metadata: {name: tcp-echo}
                spec:
                  ipFamilies: [IPv5]
                  ports: [{name: tcp, port: 9000}]
                """);
        assertThat(bad.errors()).singleElement().satisfies(e -> {
            assertThat(e.field()).startsWith("spec.ipFamilies");
            assertThat(e.message()).contains("IPv5");
        });
    }

    @Test
    void rejectsUnknownKindsAndVersionsInEveryDocument() throws Exception {
        var parsed = yaml("""
                apiVersion: telemetry.istio.io/v1
                kind: Telemetry
                metadata: {name: a}
                spec: {}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadGroup
                metadata: {name: wg}
                spec: {}
                ---
                apiVersion: networking.istio.io/v2
                kind: VirtualService
                metadata: {name: b}
                spec: {}
                ---
                kind: Gateway
                metadata: {name: c}
                spec: {}
                """);
        assertThat(parsed.errors()).extracting(e -> e.resource() + "|" + e.field()).containsExactly(
                "Telemetry default/a|kind", "WorkloadGroup default/wg|kind", "VirtualService default/b|apiVersion",
                "Gateway default/c|apiVersion");
        assertThat(parsed.errors().get(1).message()).startsWith("not supported: VM auto-registration");
    }

    @Test
    void reportsWhereTheYamlIsBroken() {
        assertThatThrownBy(() -> yaml("apiVersion: v1\nkind: Service\nmetadata: {name: [x\n"))
                .isInstanceOfSatisfying(BodySyntaxException.class, e -> assertThat(e.line()).isGreaterThan(0));
    }

    @Test
    void aDeleteNeedsOnlyWhatNamesEachResourceAsKubectlDeleteDoes() throws Exception {
        String body = """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: bare, namespace: shop}
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: newer}
                spec: {host: x, aFieldFromANewerIstio: true}
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: cert}
                ---
                apiVersion: networking.istio.io/v1
                kind: Telemetry
                metadata: {name: unserved}
                """;
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        var forDelete = ResourceReader.readBody(bytes, BodyFormat.YAML, true);
        assertThat(forDelete.resources()).extracting(r -> r.key().toString()).containsExactly(
                "VirtualService shop/bare", "DestinationRule default/newer", "Secret default/cert");
        assertThat(forDelete.errors()).as("a kind kshift does not serve is still named as such")
                .extracting(e -> e.field()).containsExactly("kind");
        assertThat(ResourceReader.readBody(bytes, BodyFormat.YAML).errors()).as("an apply needs them whole")
                .hasSizeGreaterThan(1);
    }

    @Test
    void legacyGatewayNamesNameWhatIstioResolvesThemToAndAreKeptAsWritten() throws Exception {
        var parsed = yaml("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: v, namespace: shop}
                spec:
                  hosts: [shop.example.com]
                  gateways: [ingress.istio-system, ./local-gw]
                  tcp: [{route: [{destination: {host: x}}]}]
                """);
        var spec = parsed.resources().get(0).specAs(io.kshift.model.istio.VirtualServiceSpec.class);
        assertThat(spec.gateways()).as("as written").containsExactly("ingress.istio-system", "./local-gw");
        assertThat(io.kshift.model.istio.GatewayRefs.candidates("ingress.istio-system", "shop")).containsExactly(
                new io.kshift.model.istio.GatewayRefs.Name("shop", "ingress.istio-system"),
                new io.kshift.model.istio.GatewayRefs.Name("istio-system", "ingress"));
        assertThat(io.kshift.model.istio.GatewayRefs.candidates("gw.edge.svc.cluster.local", "shop"))
                .contains(new io.kshift.model.istio.GatewayRefs.Name("edge", "gw"));
        assertThat(io.kshift.model.istio.GatewayRefs.candidates("./local-gw", "shop"))
                .containsExactly(new io.kshift.model.istio.GatewayRefs.Name("shop", "local-gw"));
        assertThat(io.kshift.model.istio.GatewayRefs.candidates("istio-system/other", "shop"))
                .containsExactly(new io.kshift.model.istio.GatewayRefs.Name("istio-system", "other"));
        assertThat(io.kshift.model.istio.GatewayRefs.candidates("plain", "shop"))
                .containsExactly(new io.kshift.model.istio.GatewayRefs.Name("shop", "plain"));
    }

    @Test
    void aKeyGivenTwiceIsAnErrorInJsonAsInYaml() {
        String json = "{\"apiVersion\": \"networking.istio.io/v1\", \"kind\": \"VirtualService\", \"metadata\":"
                + " {\"name\": \"a\"}, \"spec\": {\"hosts\": [\"x\"], \"tcp\": [{\"route\": [{\"destination\":"
                + " {\"host\": \"x\"}, \"weight\": 80, \"weight\": 20}]}]}}";
        assertThatThrownBy(() -> ResourceReader.readBody(json.getBytes(StandardCharsets.UTF_8), BodyFormat.JSON))
                .isInstanceOfSatisfying(BodySyntaxException.class, e -> {
                    assertThat(e.getMessage()).contains("Duplicate field 'weight'");
                    assertThat(e.line()).isEqualTo(1);
                });
        assertThatThrownBy(() -> yaml("apiVersion: v1\nkind: Service\nkind: Service\nmetadata: {name: a}\n"))
                .isInstanceOf(BodySyntaxException.class);
    }

    @Test
    void neverExpandsYamlAliases() throws Exception {
        StringBuilder bomb = new StringBuilder("a: &a [x,x,x,x,x,x,x,x,x]\n");
        for (char c = 'b'; c <= 'k'; c++) {
            char p = (char) (c - 1);
            bomb.append(c).append(": &").append(c).append(" [*").append(p).append(",*").append(p).append(",*")
                    .append(p).append(",*").append(p).append(",*").append(p).append(",*").append(p).append("]\n");
        }
        // A billion-laughs document stays the size it was written: an alias reads as its anchor's name.
        assertThat(Codecs.yaml().readTree(bomb.toString()).get("k").toString()).isEqualTo("[\"j\",\"j\",\"j\",\"j\",\"j\",\"j\"]");
        assertThatThrownBy(() -> yaml(bomb.toString())).isInstanceOf(BodySyntaxException.class);
    }

    @Test
    void anAliasIsRefusedWhereItStandsNotReadAsItsAnchorsName() throws Exception {
        String rule = """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: web}
                spec:
                  host: web
                  subsets:
                  - {name: v1, labels: {version: &stable v1}}
                  - {name: stable, labels: {version: *stable}}
                """;
        assertThatThrownBy(() -> yaml(rule)).isInstanceOfSatisfying(BodySyntaxException.class, e -> {
            assertThat(e.getMessage()).contains("YAML aliases (*stable) are not supported");
            assertThat(e.line()).isEqualTo(8);
        });
        String merged = """
                apiVersion: v1
                kind: Service
                metadata: {name: a, labels: &base {app: a}}
                spec:
                  selector: {<<: *base}
                  ports: [{port: 80}]
                """;
        assertThatThrownBy(() -> yaml(merged)).isInstanceOfSatisfying(BodySyntaxException.class,
                e -> assertThat(e.getMessage()).contains("*base"));
        // An anchor nobody refers to changes no value: taken.
        assertThat(yaml("apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: &s {ports: [{port: 80}]}\n")
                .resources()).hasSize(1);
    }

    @Test
    void aFractionIsNotCutToAWholeNumberNorAFloatReadAsText() throws Exception {
        var parsed = yaml("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: web}
                spec:
                  hosts: [web]
                  http:
                  - route:
                    - {destination: {host: web, subset: v1}, weight: 99.5}
                    - {destination: {host: web, subset: v2}, weight: 0.5}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: web-1}
                spec: {address: 10.0.0.1, labels: {version: 1.10}}
                """);
        assertThat(parsed.resources()).isEmpty();
        assertThat(parsed.errors()).anySatisfy(e -> {
            assertThat(e.field()).isEqualTo("spec.http[0].route[0].weight");
            assertThat(e.message()).isEqualTo("'99.5' is not a whole number");
        }).anySatisfy(e -> {
            assertThat(e.field()).isEqualTo("spec.labels.version");
            assertThat(e.message()).contains("is a number (1.1); a string is expected here");
        });
        // Whole numbers in either form, and quoted text, read as before.
        assertThat(yaml("""
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: web-1}
                spec: {address: 10.0.0.1, labels: {version: "1.10", build: 7}, weight: 3}
                """).resources()).hasSize(1);
    }

    @Test
    void documentsAfterALeadingListAreReadToo() throws Exception {
        String body = """
                - {apiVersion: v1, kind: Service, metadata: {name: a}, spec: {ports: [{port: 80}]}}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: b}
                spec: {ports: [{port: 81}]}
                """;
        assertThat(yaml(body).resources()).extracting(Resource::name).containsExactly("a", "b");
        String json = "[{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"a\"},"
                + "\"spec\":{\"ports\":[{\"port\":80}]}}] {\"apiVersion\":\"v1\",\"kind\":\"Service\","
                + "\"metadata\":{\"name\":\"b\"},\"spec\":{\"ports\":[{\"port\":81}]}}";
        assertThat(ResourceReader.readBody(json.getBytes(StandardCharsets.UTF_8), BodyFormat.JSON).resources())
                .extracting(Resource::name).containsExactly("a", "b");
        assertThatThrownBy(() -> ResourceReader.readBody("[{\"kind\":\"Service\"}] garbage"
                .getBytes(StandardCharsets.UTF_8), BodyFormat.JSON)).isInstanceOf(BodySyntaxException.class);
    }

    @Test
    void refusesInvalidUtf8() {
        byte[] body = {'k', 'i', 'n', 'd', ':', ' ', (byte) 0xC3, (byte) 0x28, '\n'};
        assertThatThrownBy(() -> ResourceReader.readBody(body, BodyFormat.YAML)).isInstanceOf(BodySyntaxException.class);
        assertThatThrownBy(() -> ResourceReader.readBody(new byte[] {'{', '"', (byte) 0xFF, '"', ':', '1', '}'},
                BodyFormat.JSON)).isInstanceOf(BodySyntaxException.class);
    }

    @Test
    void refusesTooManyResourcesAndHugeOnes() throws Exception {
        StringBuilder many = new StringBuilder();
        for (int i = 0; i <= ResourceReader.MAX_RESOURCES; i++) {
            many.append("---\napiVersion: v1\nkind: Service\nmetadata: {name: s").append(i)
                    .append("}\nspec: {ports: [{port: 80}]}\n");
        }
        assertThat(yaml(many.toString()).errors()).singleElement()
                .satisfies(e -> assertThat(e.message()).contains("1001 resources"));

        String huge = "apiVersion: v1\nkind: Service\nmetadata:\n  name: big\n  annotations:\n    blob: "
                + "x".repeat(1024 * 1024) + "\nspec: {ports: [{port: 80}]}\n";
        var parsed = yaml(huge);
        assertThat(parsed.resources()).isEmpty();
        assertThat(parsed.errors()).singleElement().satisfies(e -> {
            assertThat(e.resource()).contains("Service big");
            assertThat(e.message()).contains("at most " + ResourceReader.MAX_RESOURCE_BYTES);
        });
    }

    @Test
    void readsJsonArraysAndKubectlLists() throws Exception {
        String json = """
                {"apiVersion":"v1","kind":"List","items":[
                  {"apiVersion":"v1","kind":"Service","metadata":{"name":"a"},"spec":{"ports":[{"port":80}]}},
                  {"apiVersion":"v1","kind":"Service","metadata":{"name":"b"},"spec":{"ports":[{"port":81}]}}]}
                """;
        var parsed = ResourceReader.readBody(json.getBytes(StandardCharsets.UTF_8), BodyFormat.JSON);
        assertThat(parsed.resources()).extracting(Resource::name).containsExactly("a", "b");
    }

    @Test
    void snapshotsRoundTripThroughJson() throws Exception {
        var resources = ResourceReader.readBody(Files.readAllBytes(SAMPLES.resolve("tcp-echo-all-v1.yaml")),
                BodyFormat.YAML).resources();
        var snapshot = new MeshSnapshot(null, 7, "c-1", Instant.parse("2026-11-22T10:00:00Z"), resources);
        String json = EventCodec.encode(snapshot);
        assertThat(json).contains("\"schema\":\"" + Schemas.MESH_SNAPSHOT + "\"");
        assertThat(EventCodec.decode(json, MeshSnapshot.class)).isEqualTo(snapshot);
    }

    @Test
    void writesYamlThatReadsBack() throws Exception {
        List<Resource> resources = ResourceReader.readBody(
                Files.readAllBytes(SAMPLES.resolve("tcp-echo-all-v1.yaml")), BodyFormat.YAML).resources();
        String yaml = ResourceWriter.write(resources, BodyFormat.YAML);
        assertThat(yaml).doesNotContain("[]").contains("subset: v1");
        assertThat(yaml(yaml).resources()).isEqualTo(resources);
    }

    @Test
    void serverSetMetadataIsIgnoredAndMetadataKshiftDoesNotKeepIsRefusedAsSuch() throws Exception {
        var readBack = yaml("""
                apiVersion: v1
                kind: Service
                metadata:
                  name: web
                  creationTimestamp: "2026-01-01T00:00:00Z"
                  uid: 0b0e6c54-0000-4000-8000-000000000000
                  resourceVersion: "42"
                  generation: 3
                  managedFields: [{manager: kubectl}]
                spec: {ports: [{port: 80}]}
                status: {loadBalancer: {}}
                """);
        assertThat(readBack.errors()).isEmpty();
        assertThat(readBack.resources().get(0).metadata().creationTimestamp())
                .isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        var refused = yaml("""
                apiVersion: v1
                kind: Service
                metadata: {generateName: web-, finalizers: [x], madeUp: 1}
                spec: {ports: [{port: 80}]}
                """);
        assertThat(refused.errors()).extracting(e -> e.field() + ": " + e.message())
                .anySatisfy(m -> assertThat(m).startsWith("metadata.generateName: not supported"))
                .anySatisfy(m -> assertThat(m).startsWith("metadata.finalizers: not supported"))
                .anySatisfy(m -> assertThat(m).isEqualTo("metadata.madeUp: unknown field"));
    }
}
