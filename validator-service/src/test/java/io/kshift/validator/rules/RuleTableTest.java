package io.kshift.validator.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.codec.BodyFormat;
import io.kshift.model.codec.ResourceReader;
import io.kshift.model.event.ChangeRequested;
import io.kshift.model.event.ChangeStatus;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.Operation;
import io.kshift.model.event.ValidationMessage;
import jakarta.validation.Validation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every rule, one valid and one invalid change each, applied on top of the task's config (backends registered,
 * all traffic to v1): the invalid one must be reported at exactly the named field, the valid one not at all.
 */
class RuleTableTest {
    /** A rule: a change that passes it, one that breaks it, and where the finding must point. */
    record Rule(String name, String valid, String invalid, String resource, String field, boolean warning) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final ChangeValidator VALIDATOR = new ChangeValidator(Validation.byDefaultProvider().configure()
            .messageInterpolator(new ParameterMessageInterpolator()).buildValidatorFactory().getValidator(),
            Clock.systemUTC());

    static String vs(String spec) {
        return "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: tcp-echo}\nspec:\n" + spec;
    }

    static String route(String destinations) {
        return vs("  hosts: ['*']\n  gateways: [tcp-echo-gateway]\n  tcp:\n  - match: [{port: 31400}]\n    route:\n"
                + destinations);
    }

    static final String V1 = "    - destination: {host: tcp-echo, subset: v1, port: {number: 9000}}\n";
    static final String V2 = "    - destination: {host: tcp-echo, subset: v2, port: {number: 9000}}\n";

    static String dr(String extra) {
        return "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: tcp-echo-destination}\n"
                + "spec:\n  host: tcp-echo\n" + extra
                + "  subsets:\n  - {name: v1, labels: {version: v1}}\n  - {name: v2, labels: {version: v2}}\n";
    }

    static String gateway(String name, String servers) {
        return "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: " + name + "}\nspec:\n"
                + "  selector: {istio: ingressgateway}\n" + servers;
    }

    static final String KUBE_GATEWAY = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: kube-gw}
            spec:
              gatewayClassName: istio
              listeners: [{name: tcp-9100, protocol: TCP, port: 9100}]
            ---
            """;

    static String tcpRoute(String parentRef, String backendRef) {
        return KUBE_GATEWAY + "apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: TCPRoute\nmetadata: {name: r}\n"
                + "spec:\n  parentRefs: [" + parentRef + "]\n  rules:\n  - backendRefs: [" + backendRef + "]\n";
    }

    static final String VS = "VirtualService default/tcp-echo";
    static final String DR = "DestinationRule default/tcp-echo-destination";
    static final String ROUTE = "TCPRoute default/r";

    static Stream<Rule> rules() {
        return Stream.of(
                new Rule("hosts required", route(V1), vs("  gateways: [tcp-echo-gateway]\n  tcp:\n  - route:\n" + V1),
                        VS, "spec.hosts", false),
                new Rule("'*' only for gateway-bound", route(V1), vs("  hosts: ['*']\n  tcp:\n  - route:\n" + V1),
                        VS, "spec.hosts[0]", false),
                new Rule("no duplicate hosts", route(V1), route(V1).replace("['*']", "['*', '*']"), VS,
                        "spec.hosts[1]", false),
                new Rule("a missing gateway warns (it may come later)", route(V1),
                        route(V1).replace("[tcp-echo-gateway]", "[nope]"), VS, "spec.gateways[0]", true),
                new Rule("some route is required", route(V1), vs("  hosts: ['*']\n  gateways: [tcp-echo-gateway]\n"),
                        VS, "spec", false),
                new Rule("a tls route matches by SNI", route(V1), route(V1) + "  tls: [{route: []}]\n", VS,
                        "spec.tls[0].match", false),
                new Rule("a tls route has destinations", route(V1), route(V1)
                        + "  tls: [{match: [{sniHosts: [a.example.com]}], route: []}]\n", VS, "spec.tls[0].route", false),
                new Rule("a route has destinations", route(V1), vs("  hosts: ['*']\n  gateways: [tcp-echo-gateway]\n"
                        + "  tcp:\n  - route: []\n"), VS, "spec.tcp[0].route", false),
                new Rule("weights not negative", route(V1 + "      weight: 5\n" + V2 + "      weight: 5\n"),
                        route(V1 + "      weight: -5\n" + V2 + "      weight: 5\n"), VS, "spec.tcp[0].route[0].weight",
                        false),
                new Rule("weights not all zero", route(V1 + "      weight: 1\n" + V2 + "      weight: 0\n"),
                        route(V1 + "      weight: 0\n" + V2 + "      weight: 0\n"), VS, "spec.tcp[0].route", false),
                new Rule("subset defined", route(V1), route(V1.replace("v1", "v3")), VS,
                        "spec.tcp[0].route[0].destination.subset", false),
                new Rule("host resolvable", route(V1), route(V1.replace("host: tcp-echo", "host: nowhere")), VS,
                        "spec.tcp[0].route[0].destination.host", false),
                new Rule("port exists on the service", route(V1), route(V1.replace("9000", "9999")), VS,
                        "spec.tcp[0].route[0].destination.port", false),
                new Rule("port in range", route(V1), route(V1.replace("9000", "70000")), VS,
                        "spec.tcp[0].route[0].destination.port.number", false),
                new Rule("name is an RFC 1123 name", route(V1), route(V1).replace("name: tcp-echo}", "name: Tcp_Echo}"),
                        "VirtualService default/Tcp_Echo", "metadata.name", false),
                new Rule("unique subset names", dr(""), dr("").replace("name: v2", "name: v1"), DR,
                        "spec.subsets[1].name", false),
                new Rule("connectTimeout is a duration", dr("  trafficPolicy: {connectionPool: {tcp: {connectTimeout: 2s}}}\n"),
                        dr("  trafficPolicy: {connectionPool: {tcp: {connectTimeout: soon}}}\n"), DR,
                        "spec.trafficPolicy.connectionPool.tcp.connectTimeout", false),
                new Rule("tcpKeepalive times are durations", dr("  trafficPolicy: {connectionPool: {tcp: {tcpKeepalive:"
                        + " {time: 7200s, interval: 75s, probes: 9}}}}\n"), dr("  trafficPolicy: {connectionPool: {tcp:"
                        + " {tcpKeepalive: {time: often, probes: 9}}}}\n"), DR,
                        "spec.trafficPolicy.connectionPool.tcp.tcpKeepalive.time", false),
                new Rule("tcpKeepalive probes within the kernel's 127", dr("  trafficPolicy: {connectionPool: {tcp:"
                        + " {tcpKeepalive: {probes: 127}}}}\n"), dr("  trafficPolicy: {connectionPool: {tcp:"
                        + " {tcpKeepalive: {probes: 200}}}}\n"), DR,
                        "spec.trafficPolicy.connectionPool.tcp.tcpKeepalive.probes", false),
                new Rule("durations in whole ms", dr("  trafficPolicy: {connectionPool: {tcp: {maxConnectionDuration: 1h}}}\n"),
                        dr("  trafficPolicy: {connectionPool: {tcp: {maxConnectionDuration: 500us}}}\n"), DR,
                        "spec.trafficPolicy.connectionPool.tcp.maxConnectionDuration", false),
                new Rule("load balancer served", dr("  trafficPolicy: {loadBalancer: {simple: LEAST_REQUEST}}\n"),
                        dr("  trafficPolicy: {loadBalancer: {simple: PASSTHROUGH}}\n"), DR,
                        "spec.trafficPolicy.loadBalancer.simple", false),
                new Rule("gateway has servers", gateway("tcp-echo-gateway", "  servers: [{port: {number: 31400, name: tcp,"
                        + " protocol: TCP}, hosts: ['*']}]\n"), gateway("tcp-echo-gateway", "  servers: []\n"),
                        "Gateway default/tcp-echo-gateway", "spec.servers", false),
                new Rule("server has hosts", gateway("g2", "  servers: [{port: {number: 9200, name: tcp, protocol: TCP},"
                        + " hosts: ['*']}]\n"), gateway("g2", "  servers: [{port: {number: 9200, name: tcp, protocol: TCP}}]\n"),
                        "Gateway default/g2", "spec.servers[0].hosts", false),
                new Rule("protocol served", gateway("g2", "  servers: [{port: {number: 9200, name: tcp, protocol: TCP},"
                        + " hosts: ['*']}]\n"), gateway("g2", "  servers: [{port: {number: 9200, name: mongo, protocol: MONGO},"
                        + " hosts: ['*']}]\n"), "Gateway default/g2", "spec.servers[0].port.protocol", false),
                new Rule("one gateway per TCP port", gateway("g2", "  servers: [{port: {number: 9200, name: tcp,"
                        + " protocol: TCP}, hosts: ['*']}]\n"), gateway("g2", "  servers: [{port: {number: 31400, name: tcp,"
                        + " protocol: TCP}, hosts: ['*']}]\n"), "Gateway default/tcp-echo-gateway", "spec.servers[0].port",
                        false),
                new Rule("a missing parent gateway warns (it may come later)",
                        tcpRoute("{name: kube-gw}", "{name: tcp-echo, port: 9000}"),
                        tcpRoute("{name: other-gw}", "{name: tcp-echo, port: 9000}"), ROUTE, "spec.parentRefs[0].name",
                        true),
                new Rule("listener kinds suit its protocol",
                        tcpRoute("{name: kube-gw}", "{name: tcp-echo, port: 9000}").replace("port: 9100}",
                                "port: 9100, allowedRoutes: {kinds: [{kind: TCPRoute}]}}"),
                        tcpRoute("{name: kube-gw}", "{name: tcp-echo, port: 9000}").replace("port: 9100}",
                                "port: 9100, allowedRoutes: {kinds: [{kind: TCPRoute}, {kind: HTTPRoute}]}}"),
                        "Gateway.gateway.networking.k8s.io default/kube-gw",
                        "spec.listeners[0].allowedRoutes.kinds[1].kind", false),
                new Rule("allowedRoutes from Selector needs its selector",
                        tcpRoute("{name: kube-gw}", "{name: tcp-echo, port: 9000}").replace("port: 9100}",
                                "port: 9100, allowedRoutes: {namespaces: {from: Selector, selector: {matchLabels:"
                                + " {kubernetes.io/metadata.name: default}}}}}"),
                        tcpRoute("{name: kube-gw}", "{name: tcp-echo, port: 9000}").replace("port: 9100}",
                                "port: 9100, allowedRoutes: {namespaces: {from: Selector}}}"),
                        "Gateway.gateway.networking.k8s.io default/kube-gw",
                        "spec.listeners[0].allowedRoutes.namespaces.selector", false),
                new Rule("a route in a namespace the selector does not select does not attach",
                        tcpRoute("{name: kube-gw}", "{name: tcp-echo, port: 9000}").replace("port: 9100}",
                                "port: 9100, allowedRoutes: {namespaces: {from: Selector, selector: {matchLabels:"
                                + " {kubernetes.io/metadata.name: default}}}}}"),
                        tcpRoute("{name: kube-gw}", "{name: tcp-echo, port: 9000}").replace("port: 9100}",
                                "port: 9100, allowedRoutes: {namespaces: {from: Selector, selector: {matchLabels:"
                                + " {shared: 'true'}}}}}"),
                        ROUTE, "spec.parentRefs[0]", false),
                new Rule("a parentRef of kind Service is refused (mesh routing not served)",
                        tcpRoute("{name: kube-gw}", "{name: tcp-echo, port: 9000}"),
                        tcpRoute("{name: tcp-echo, kind: Service}", "{name: tcp-echo, port: 9000}"), ROUTE,
                        "spec.parentRefs[0].kind", false),
                new Rule("sectionName names a listener", tcpRoute("{name: kube-gw, sectionName: tcp-9100}",
                        "{name: tcp-echo, port: 9000}"), tcpRoute("{name: kube-gw, sectionName: tcp-1}",
                        "{name: tcp-echo, port: 9000}"), ROUTE, "spec.parentRefs[0].sectionName", false),
                new Rule("backend Service exists", tcpRoute("{name: kube-gw}", "{name: tcp-echo, port: 9000}"),
                        tcpRoute("{name: kube-gw}", "{name: tcp-echo-v9, port: 9000}"), ROUTE,
                        "spec.rules[0].backendRefs[0].name", false),
                new Rule("backends are Services", tcpRoute("{name: kube-gw}", "{name: tcp-echo, port: 9000}"),
                        tcpRoute("{name: kube-gw}", "{kind: Pod, name: tcp-echo, port: 9000}"), ROUTE,
                        "spec.rules[0].backendRefs[0].kind", false),
                new Rule("STATIC ServiceEntry has endpoints", """
                        apiVersion: networking.istio.io/v1
                        kind: ServiceEntry
                        metadata: {name: ext}
                        spec: {hosts: [ext.example.com], ports: [{number: 80, name: tcp}], resolution: STATIC,
                               endpoints: [{address: 10.1.1.1}]}
                        """, """
                        apiVersion: networking.istio.io/v1
                        kind: ServiceEntry
                        metadata: {name: ext}
                        spec: {hosts: [ext.example.com], ports: [{number: 80, name: tcp}], resolution: STATIC}
                        """, "ServiceEntry default/ext", "spec.endpoints", false),
                new Rule("WorkloadEntry has an address", """
                        apiVersion: networking.istio.io/v1
                        kind: WorkloadEntry
                        metadata: {name: w}
                        spec: {address: 10.1.1.2, labels: {app: other}}
                        """, """
                        apiVersion: networking.istio.io/v1
                        kind: WorkloadEntry
                        metadata: {name: w}
                        spec: {labels: {app: other}}
                        """, "WorkloadEntry default/w", "spec.address", false),
                new Rule("no endpoint in link-local (cloud metadata)", """
                        apiVersion: networking.istio.io/v1
                        kind: WorkloadEntry
                        metadata: {name: w}
                        spec: {address: 10.1.1.2, labels: {app: other}}
                        """, """
                        apiVersion: networking.istio.io/v1
                        kind: WorkloadEntry
                        metadata: {name: w}
                        spec: {address: 169.254.169.254, labels: {app: other}}
                        """, "WorkloadEntry default/w", "spec.address", false),
                new Rule("no ServiceEntry endpoint in link-local", """
                        apiVersion: networking.istio.io/v1
                        kind: ServiceEntry
                        metadata: {name: ext}
                        spec: {hosts: [ext.example.com], ports: [{number: 80, name: tcp}], resolution: STATIC,
                               endpoints: [{address: "fd00::1"}]}
                        """, """
                        apiVersion: networking.istio.io/v1
                        kind: ServiceEntry
                        metadata: {name: ext}
                        spec: {hosts: [ext.example.com], ports: [{number: 80, name: tcp}], resolution: STATIC,
                               endpoints: [{address: "fe80::a9fe:a9fe"}]}
                        """, "ServiceEntry default/ext", "spec.endpoints[0].address", false),
                new Rule("no ServiceEntry host in link-local", """
                        apiVersion: networking.istio.io/v1
                        kind: ServiceEntry
                        metadata: {name: ext}
                        spec: {hosts: [ext.example.com], ports: [{number: 80, name: tcp}], resolution: DNS}
                        """, """
                        apiVersion: networking.istio.io/v1
                        kind: ServiceEntry
                        metadata: {name: ext}
                        spec: {hosts: [169.254.169.254], ports: [{number: 80, name: tcp}], resolution: DNS}
                        """, "ServiceEntry default/ext", "spec.hosts[0]", false),
                new Rule("label values are label syntax", """
                        apiVersion: networking.istio.io/v1
                        kind: WorkloadEntry
                        metadata: {name: w}
                        spec: {address: 10.1.1.2, labels: {app: other, version: v1.2_b-3}}
                        """, """
                        apiVersion: networking.istio.io/v1
                        kind: WorkloadEntry
                        metadata: {name: w}
                        spec: {address: 10.1.1.2, labels: {app: other, version: "<img src=x onerror=alert(1)>"}}
                        """, "WorkloadEntry default/w", "spec.labels", false),
                new Rule("label keys are label syntax", """
                        apiVersion: v1
                        kind: Service
                        metadata: {name: s, labels: {app.kubernetes.io/name: s}}
                        spec: {ports: [{port: 1}]}
                        """, """
                        apiVersion: v1
                        kind: Service
                        metadata: {name: s, labels: {"bad key!": s}}
                        spec: {ports: [{port: 1}]}
                        """, "Service default/s", "metadata.labels", false),
                new Rule("Service has ports", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 1}]}\n",
                        "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {selector: {app: s}}\n",
                        "Service default/s", "spec.ports", false),
                new Rule("warn: weight 0", route(V1 + "      weight: 1\n" + V2 + "      weight: 1\n"),
                        route(V1 + "      weight: 1\n" + V2 + "      weight: 0\n"), VS, "spec.tcp[0].route[1].weight", true),
                new Rule("warn: shadowed by a catch-all", route(V1),
                        vs("  hosts: ['*']\n  gateways: [tcp-echo-gateway]\n  tcp:\n  - route:\n" + V1 + "  - route:\n" + V2),
                        VS, "spec.tcp[1]", true),
                new Rule("warn: match port on no bound gateway", route(V1), route(V1).replace("port: 31400", "port: 31401"),
                        VS, "spec.tcp[0].match[0].port", true));
    }

    static String web(String routes) {
        return "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: web}\nspec:\n"
                + "  hosts: [tcp-echo]\n  http:\n" + routes;
    }

    static final String WEB = "VirtualService default/web";
    static final String TO_V1 = "    route: [{destination: {host: tcp-echo, subset: v1, port: {number: 9000}}}]\n";

    /** http routes: Istio's field rules (as constraints on the model) and kshift's make-before-break. */
    static Stream<Rule> httpRules() {
        return Stream.of(
                new Rule("abort status 200-599", web("  - fault: {abort: {httpStatus: 503, percentage: {value: 5}}}\n" + TO_V1),
                        web("  - fault: {abort: {httpStatus: 600, percentage: {value: 5}}}\n" + TO_V1), WEB, "spec.http[0].fault.abort.httpStatus",
                        false),
                new Rule("fault percentage 0 or at least 0.0001",
                        web("  - fault: {abort: {httpStatus: 503, percentage: {value: 0.0001}}}\n" + TO_V1),
                        web("  - fault: {abort: {httpStatus: 503, percentage: {value: 0.00001}}}\n" + TO_V1), WEB,
                        "spec.http[0].fault.abort.percentage", false),
                new Rule("fault percentage at most 100",
                        web("  - fault: {delay: {fixedDelay: 5s, percentage: {value: 100}}}\n" + TO_V1),
                        web("  - fault: {delay: {fixedDelay: 5s, percentage: {value: 100.5}}}\n" + TO_V1), WEB,
                        "spec.http[0].fault.delay.percentage.value", false),
                new Rule("delay in whole ms", web("  - fault: {delay: {fixedDelay: 1500ms, percentage: {value: 5}}}\n" + TO_V1),
                        web("  - fault: {delay: {fixedDelay: 1.5ms, percentage: {value: 5}}}\n" + TO_V1), WEB,
                        "spec.http[0].fault.delay.fixedDelay", false),
                new Rule("a fault has a delay or an abort", web("  - fault: {delay: {fixedDelay: 1s, percentage: {value: 5}}}\n" + TO_V1),
                        web("  - fault: {}\n" + TO_V1), WEB, "spec.http[0].fault", false),
                new Rule("warn: fault without a percentage", web("  - fault: {abort: {httpStatus: 503, percentage: {value: 5}}}\n"
                        + TO_V1), web("  - fault: {abort: {httpStatus: 503}}\n" + TO_V1), WEB,
                        "spec.http[0].fault.abort.percentage", true),
                new Rule("mirror percentage 0-100", web("  - mirror: {host: tcp-echo, subset: v2, port: {number: 9000}}\n"
                        + "    mirrorPercentage: {value: 50}\n" + TO_V1),
                        web("  - mirror: {host: tcp-echo, subset: v2, port: {number: 9000}}\n"
                        + "    mirrorPercentage: {value: 150}\n" + TO_V1), WEB, "spec.http[0].mirrorPercentage.value",
                        false),
                new Rule("mirror destination defined", web("  - mirror: {host: tcp-echo, subset: v2, port: {number: 9000}}\n"
                        + TO_V1), web("  - mirror: {host: tcp-echo, subset: v9, port: {number: 9000}}\n" + TO_V1), WEB,
                        "spec.http[0].mirror.subset", false),
                new Rule("mirror or mirrors", web("  - mirrors: [{destination: {host: tcp-echo, subset: v2, port:"
                        + " {number: 9000}}}]\n" + TO_V1), web("  - mirror: {host: tcp-echo, subset: v2, port:"
                        + " {number: 9000}}\n    mirrors: [{destination: {host: tcp-echo, subset: v2, port:"
                        + " {number: 9000}}}]\n" + TO_V1), WEB, "spec.http[0].mirrors", false),
                new Rule("timeout is a duration", web("  - timeout: 10s\n" + TO_V1), web("  - timeout: fast\n" + TO_V1),
                        WEB, "spec.http[0].timeout", false),
                new Rule("retry attempts not negative", web("  - retries: {attempts: 3, perTryTimeout: 2s}\n" + TO_V1),
                        web("  - retries: {attempts: -1}\n" + TO_V1), WEB, "spec.http[0].retries.attempts", false),
                new Rule("perTryTimeout at least 1ms", web("  - retries: {attempts: 3, perTryTimeout: 1ms}\n" + TO_V1),
                        web("  - retries: {attempts: 3, perTryTimeout: 0s}\n" + TO_V1), WEB,
                        "spec.http[0].retries.perTryTimeout", false),
                new Rule("retryOn conditions known", web("  - retries: {attempts: 3, retryOn: 'gateway-error,503,"
                        + "reset-before-request,http3-post-connect-failure'}\n"
                        + TO_V1), web("  - retries: {attempts: 3, retryOn: 'sometimes'}\n" + TO_V1), WEB,
                        "spec.http[0].retries.retryOn", false),
                new Rule("uri regex compiles", web("  - match: [{uri: {regex: '/v[12]/.*'}}]\n" + TO_V1),
                        web("  - match: [{uri: {regex: '/v[12/.*'}}]\n" + TO_V1), WEB, "spec.http[0].match[0].uri.regex",
                        false),
                new Rule("header regex compiles", web("  - match: [{headers: {user: {regex: 'zhj.*'}}}]\n" + TO_V1),
                        web("  - match: [{headers: {user: {regex: '*zhj'}}}]\n" + TO_V1), WEB,
                        "spec.http[0].match[0].headers[user].regex", false),
                new Rule("header regex is RE2 (no backreferences)", web("  - match: [{headers: {user: {regex: '(a)b'}}}]\n"
                        + TO_V1), web("  - match: [{headers: {user: {regex: '(a)\\1'}}}]\n" + TO_V1), WEB,
                        "spec.http[0].match[0].headers[user].regex", false),
                new Rule("uri regex is RE2 (no lookahead)", web("  - match: [{uri: {regex: '/v1/.*'}}]\n" + TO_V1),
                        web("  - match: [{uri: {regex: '/v1(?=/)'}}]\n" + TO_V1), WEB,
                        "spec.http[0].match[0].uri.regex", false),
                new Rule("regex at most 1024 characters", web("  - match: [{uri: {regex: '" + "a".repeat(1024)
                        + "'}}]\n" + TO_V1), web("  - match: [{uri: {regex: '" + "a".repeat(1025) + "'}}]\n" + TO_V1),
                        WEB, "spec.http[0].match[0].uri.regex", false),
                new Rule("one of exact, prefix, regex", web("  - match: [{uri: {prefix: /istio-v2}}]\n" + TO_V1),
                        web("  - match: [{uri: {prefix: /istio-v2, exact: /x}}]\n" + TO_V1), WEB,
                        "spec.http[0].match[0].uri", false),
                new Rule("a redirect's port or derivePort", web("  - redirect: {scheme: https, derivePort: FROM_PROTOCOL_DEFAULT}\n"),
                        web("  - redirect: {scheme: https, port: 8443, derivePort: FROM_REQUEST_PORT}\n"), WEB,
                        "spec.http[0].redirect", false),
                new Rule("an empty match is a presence check on headers only",
                        web("  - match: [{headers: {x-canary: {}}, withoutHeaders: {x-debug: {}}}]\n" + TO_V1),
                        web("  - match: [{uri: {}}]\n" + TO_V1), WEB, "spec.http[0].match[0].uri", false),
                new Rule("a header match with no value", web("  - match: [{headers: {x-canary: {}}}]\n" + TO_V1),
                        web("  - match: [{headers: {x-canary: null}}]\n" + TO_V1), WEB,
                        "spec.http[0].match[0].headers.x-canary", false),
                new Rule("an empty CORS origin", web("  - corsPolicy: {allowOrigins: [{exact: 'https://a.example'}]}\n"
                        + TO_V1), web("  - corsPolicy: {allowOrigins: [{}]}\n" + TO_V1), WEB,
                        "spec.http[0].corsPolicy.allowOrigins[0]", false),
                new Rule("no empty prefix", web("  - match: [{uri: {prefix: /}}]\n" + TO_V1),
                        web("  - match: [{uri: {prefix: ''}}]\n" + TO_V1), WEB, "spec.http[0].match[0].uri.prefix", false),
                new Rule("Host is not removed from requests", web("  - headers: {request: {remove: [x-a]}}\n" + TO_V1),
                        web("  - headers: {request: {remove: [x-a, Host]}}\n" + TO_V1), WEB,
                        "spec.http[0].headers.request.remove", false),
                new Rule("an answer has no Host to edit", web("  - headers: {response: {set: {x-a: b}}}\n" + TO_V1),
                        web(TO_V1.replace("    route: [{destination:", "  - route: [{headers: {response: {set: {host:"
                        + " b}}}, destination:")), WEB, "spec.http[0].route[0].headers.response", false),
                new Rule("uriRegexRewrite needs its match", web("  - rewrite: {uriRegexRewrite: {match: ^/a, rewrite: /b}}\n"
                        + TO_V1), web("  - rewrite: {uriRegexRewrite: {rewrite: /b}}\n" + TO_V1), WEB,
                        "spec.http[0].rewrite.uriRegexRewrite.match", false),
                new Rule("uriRegexRewrite needs its rewrite", web("  - rewrite: {uriRegexRewrite: {match: ^/a, rewrite: /b}}\n"
                        + TO_V1), web("  - rewrite: {uriRegexRewrite: {match: ^/a}}\n" + TO_V1), WEB,
                        "spec.http[0].rewrite.uriRegexRewrite.rewrite", false),
                new Rule("rewrite uri or uriRegexRewrite", web("  - rewrite: {uri: /b}\n" + TO_V1),
                        web("  - rewrite: {uri: /b, uriRegexRewrite: {match: ^/a, rewrite: /b}}\n" + TO_V1), WEB,
                        "spec.http[0].rewrite.uriRegexRewrite", false),
                new Rule("route or redirect", web("  - redirect: {uri: /v2}\n"), web("  - match: [{uri: {prefix: /a}}]\n"),
                        WEB, "spec.http[0].route", false),
                new Rule("not both route and redirect", web("  - redirect: {uri: /v2}\n"),
                        web("  - redirect: {uri: /v2}\n" + TO_V1), WEB, "spec.http[0].redirect", false),
                new Rule("directResponse status 200-599", web("  - directResponse: {status: 503}\n"),
                        web("  - directResponse: {status: 600}\n"), WEB, "spec.http[0].directResponse.status", false),
                new Rule("directResponse status required", web("  - directResponse: {status: 404}\n"),
                        web("  - directResponse: {body: {string: gone}}\n"), WEB, "spec.http[0].directResponse.status",
                        false),
                new Rule("not both route and directResponse",
                        web("  - directResponse: {status: 503, body: {string: down for maintenance}}\n"),
                        web("  - directResponse: {status: 503}\n" + TO_V1), WEB, "spec.http[0].directResponse", false),
                new Rule("not both fault and directResponse", web("  - directResponse: {status: 503}\n"),
                        web("  - fault: {abort: {httpStatus: 500, percentage: {value: 5}}}\n"
                                + "    directResponse: {status: 503}\n"), WEB, "spec.http[0].fault", false),
                new Rule("warn: no body on a 204", web("  - directResponse: {status: 204}\n"),
                        web("  - directResponse: {status: 204, body: {string: x}}\n"), WEB,
                        "spec.http[0].directResponse.body", true),
                new Rule("directResponse body string or bytes",
                        web("  - directResponse: {status: 200, body: {bytes: aGVsbG8=}}\n"),
                        web("  - directResponse: {status: 200, body: {bytes: aGVsbG8=, string: hello}}\n"), WEB,
                        "spec.http[0].directResponse.body", false),
                new Rule("directResponse bytes are base64", web("  - directResponse: {status: 200, body: {bytes: aGk=}}\n"),
                        web("  - directResponse: {status: 200, body: {bytes: '*not base64*'}}\n"), WEB,
                        "spec.http[0].directResponse.body.bytes", false),
                new Rule("redirect code", web("  - redirect: {uri: /v2, redirectCode: 308}\n"),
                        web("  - redirect: {uri: /v2, redirectCode: 200}\n"), WEB, "spec.http[0].redirect.redirectCode",
                        false),
                new Rule("http subset defined", web(TO_V1.replace("    route", "  - route")),
                        web(TO_V1.replace("    route", "  - route").replace("v1", "v3")), WEB,
                        "spec.http[0].route[0].destination.subset", false),
                new Rule("http weights not negative", web("  - route: [{destination: {host: tcp-echo, subset: v1, port:"
                        + " {number: 9000}}, weight: 90}, {destination: {host: tcp-echo, subset: v2, port: {number: 9000}},"
                        + " weight: 10}]\n"), web("  - route: [{destination: {host: tcp-echo, subset: v1, port:"
                        + " {number: 9000}}, weight: 90}, {destination: {host: tcp-echo, subset: v2, port: {number: 9000}},"
                        + " weight: -10}]\n"), WEB, "spec.http[0].route[1].weight", false),
                new Rule("warn: http route shadowed", web("  - match: [{uri: {prefix: /a}}]\n" + TO_V1 + "  -" + TO_V1
                        .substring(3)), web("  -" + TO_V1.substring(3) + "  -" + TO_V1.substring(3)), WEB,
                        "spec.http[1]", true),
                new Rule("connection pool counts not negative", dr("  trafficPolicy: {connectionPool: {http:"
                        + " {http1MaxPendingRequests: 1, maxRequestsPerConnection: 1}}}\n"), dr("  trafficPolicy:"
                        + " {connectionPool: {http: {http1MaxPendingRequests: -1}}}\n"), DR,
                        "spec.trafficPolicy.connectionPool.http.http1MaxPendingRequests", false),
                new Rule("tcp maxConnections not negative", dr("  trafficPolicy: {connectionPool: {tcp:"
                        + " {maxConnections: 1}}}\n"), dr("  trafficPolicy: {connectionPool: {tcp: {maxConnections: -1}}}\n"),
                        DR, "spec.trafficPolicy.connectionPool.tcp.maxConnections", false),
                new Rule("maxEjectionPercent 0-100", dr("  trafficPolicy: {outlierDetection: {consecutive5xxErrors: 1,"
                        + " interval: 1s, baseEjectionTime: 3m, maxEjectionPercent: 100}}\n"),
                        dr("  trafficPolicy: {outlierDetection: {consecutive5xxErrors: 1, maxEjectionPercent: 101}}\n"),
                        DR, "spec.trafficPolicy.outlierDetection.maxEjectionPercent", false),
                new Rule("one consistent hash key", dr("  trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName:"
                        + " x-user}}}\n"), dr("  trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName: x-user,"
                        + " useSourceIp: true}}}\n"), DR, "spec.trafficPolicy.loadBalancer.consistentHash", false),
                new Rule("simple or consistentHash", dr("  trafficPolicy: {loadBalancer: {simple: RANDOM}}\n"),
                        dr("  trafficPolicy: {loadBalancer: {simple: RANDOM, consistentHash: {useSourceIp: true}}}\n"), DR,
                        "spec.trafficPolicy.loadBalancer", false),
                new Rule("endpoint ports in range", """
                        apiVersion: networking.istio.io/v1
                        kind: WorkloadEntry
                        metadata: {name: w}
                        spec: {address: 10.1.1.2, ports: {tcp: 9000}, labels: {app: other}}
                        """, """
                        apiVersion: networking.istio.io/v1
                        kind: WorkloadEntry
                        metadata: {name: w}
                        spec: {address: 10.1.1.2, ports: {tcp: 0}, labels: {app: other}}
                        """, "WorkloadEntry default/w", "spec.ports[tcp]", false),
                new Rule("HTTPRoute parent is an HTTP listener", httpRoute("{name: http-gw}", "{name: tcp-echo, port: 9000}"),
                        httpRoute("{name: http-gw, sectionName: tcp}", "{name: tcp-echo, port: 9000}"), HTTP_ROUTE,
                        "spec.parentRefs[0]", false),
                new Rule("warn: HTTPRoute without parentRefs attaches to nothing (allowed)",
                        httpRoute("{name: http-gw}", "{name: tcp-echo, port: 9000}"),
                        httpRoute("", "{name: tcp-echo, port: 9000}"), HTTP_ROUTE, "spec.parentRefs", true),
                new Rule("warn: TCPRoute without parentRefs attaches to nothing (allowed)",
                        tcpRoute("{name: kube-gw}", "{name: tcp-echo, port: 9000}"),
                        tcpRoute("", "{name: tcp-echo, port: 9000}"), ROUTE, "spec.parentRefs", true),
                new Rule("HTTPRoute backend exists", httpRoute("{name: http-gw}", "{name: tcp-echo, port: 9000}"),
                        httpRoute("{name: http-gw}", "{name: nowhere, port: 9000}"), HTTP_ROUTE,
                        "spec.rules[0].backendRefs[0].name", false),
                new Rule("HTTPRoute filter carries its type's field", httpRoute("{name: http-gw}",
                        "{name: tcp-echo, port: 9000}]\n    filters: [{type: RequestHeaderModifier, requestHeaderModifier:"
                        + " {add: [{name: a, value: b}]}}"), httpRoute("{name: http-gw}", "{name: tcp-echo, port: 9000}]\n"
                        + "    filters: [{type: RequestHeaderModifier}"), HTTP_ROUTE,
                        "spec.rules[0].filters[0].requestHeaderModifier", false),
                new Rule("HTTPRoute mirror backend exists", httpRoute("{name: http-gw}", "{name: tcp-echo, port: 9000}]\n"
                        + "    filters: [{type: RequestMirror, requestMirror: {backendRef: {name: tcp-echo, port: 9000}}}"),
                        httpRoute("{name: http-gw}", "{name: tcp-echo, port: 9000}]\n    filters: [{type: RequestMirror,"
                        + " requestMirror: {backendRef: {name: ghost, port: 9000}}}"), HTTP_ROUTE,
                        "spec.rules[0].filters[0].requestMirror.backendRef.name", false),
                new Rule("HTTPRoute header regex compiles", httpRoute("{name: http-gw}", "{name: tcp-echo, port: 9000}]\n"
                        + "    matches: [{headers: [{type: RegularExpression, name: u, value: 'a.*'}]}"),
                        httpRoute("{name: http-gw}", "{name: tcp-echo, port: 9000}]\n    matches: [{headers: [{type:"
                        + " RegularExpression, name: u, value: '(a'}]}"), HTTP_ROUTE, "spec.rules[0].matches[0].headers[0].regex",
                        false),
                new Rule("ReplacePrefixMatch needs one PathPrefix match", httpRoute("{name: http-gw}",
                        "{name: tcp-echo, port: 9000}]\n    matches: [{path: {type: PathPrefix, value: /a}}]\n"
                        + "    filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch,"
                        + " replacePrefixMatch: /b}}}"), httpRoute("{name: http-gw}", "{name: tcp-echo, port: 9000}]\n"
                        + "    matches: [{path: {type: Exact, value: /a}}]\n"
                        + "    filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch,"
                        + " replacePrefixMatch: /b}}}"), HTTP_ROUTE, "spec.rules[0].filters[0].urlRewrite.path", false),
                new Rule("ReplacePrefixMatch takes the CRD's default match", httpRoute("{name: http-gw}",
                        "{name: tcp-echo, port: 9000}]\n    matches: [{headers: [{name: a, value: '1'}]}]\n"
                        + "    filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch,"
                        + " replacePrefixMatch: /b}}}"), httpRoute("{name: http-gw}", "{name: tcp-echo, port: 9000}]\n"
                        + "    matches: [{path: {value: /a}}, {path: {value: /c}}]\n"
                        + "    filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch,"
                        + " replacePrefixMatch: /b}}}"), HTTP_ROUTE, "spec.rules[0].filters[0].urlRewrite.path", false),
                new Rule("ReplaceFullPath needs its path", httpRoute("{name: http-gw}", "{name: tcp-echo, port: 9000}]\n"
                        + "    filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplaceFullPath, replaceFullPath: /x}}}"),
                        httpRoute("{name: http-gw}", "{name: tcp-echo, port: 9000}]\n"
                        + "    filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplaceFullPath}}}"), HTTP_ROUTE,
                        "spec.rules[0].filters[0].urlRewrite.path.replaceFullPath", false),
                new Rule("a path modifier carries only its type's value", httpRoute("{name: http-gw}", "]\n"
                        + "    filters: [{type: RequestRedirect, requestRedirect: {path: {type: ReplaceFullPath,"
                        + " replaceFullPath: /x}}}"), httpRoute("{name: http-gw}", "]\n"
                        + "    filters: [{type: RequestRedirect, requestRedirect: {path: {type: ReplaceFullPath,"
                        + " replaceFullPath: /x, replacePrefixMatch: /y}}}"), HTTP_ROUTE,
                        "spec.rules[0].filters[0].requestRedirect.path.replacePrefixMatch", false),
                new Rule("HTTPRoute path is absolute", httpRoute("{name: http-gw}", "{name: tcp-echo, port: 9000}]\n"
                        + "    matches: [{path: {type: Exact, value: /foo}}"), httpRoute("{name: http-gw}",
                        "{name: tcp-echo, port: 9000}]\n    matches: [{path: {type: Exact, value: foo}}"), HTTP_ROUTE,
                        "spec.rules[0].matches[0].path.value", false),
                new Rule("HTTPRoute prefix has no empty segment", httpRoute("{name: http-gw}",
                        "{name: tcp-echo, port: 9000}]\n    matches: [{path: {value: /a/b}}"), httpRoute("{name: http-gw}",
                        "{name: tcp-echo, port: 9000}]\n    matches: [{path: {value: /a//b}}"), HTTP_ROUTE,
                        "spec.rules[0].matches[0].path.value", false),
                new Rule("HTTPRoute regex path need not start with /", httpRoute("{name: http-gw}",
                        "{name: tcp-echo, port: 9000}]\n    matches: [{path: {type: RegularExpression, value: '.*/x'}}"),
                        httpRoute("{name: http-gw}", "{name: tcp-echo, port: 9000}]\n    matches: [{path: {type:"
                        + " RegularExpression, value: '(x'}}"), HTTP_ROUTE, "spec.rules[0].matches[0].path.regex",
                        false),
                new Rule("HTTPRoute URLRewrite once per rule", httpRoute("{name: http-gw}", "{name: tcp-echo, port: 9000}]\n"
                        + "    filters: [{type: URLRewrite, urlRewrite: {hostname: a.example}}"), httpRoute("{name: http-gw}",
                        "{name: tcp-echo, port: 9000}]\n    filters: [{type: URLRewrite, urlRewrite: {hostname: a.example}},"
                        + " {type: URLRewrite, urlRewrite: {hostname: b.example}}"), HTTP_ROUTE,
                        "spec.rules[0].filters[1].type", false),
                new Rule("HTTPRoute RequestMirror may repeat, header edits not", httpRoute("{name: http-gw}",
                        "{name: tcp-echo, port: 9000}]\n    filters: [{type: RequestMirror, requestMirror: {backendRef:"
                        + " {name: tcp-echo, port: 9000}}}, {type: RequestMirror, requestMirror: {backendRef: {name:"
                        + " tcp-echo, port: 9000}}}"), httpRoute("{name: http-gw}", "{name: tcp-echo, port: 9000}]\n"
                        + "    filters: [{type: ResponseHeaderModifier, responseHeaderModifier: {add: [{name: a, value: b}]}},"
                        + " {type: ResponseHeaderModifier, responseHeaderModifier: {add: [{name: c, value: d}]}}"),
                        HTTP_ROUTE, "spec.rules[0].filters[1].type", false),
                new Rule("HTTPRoute redirect and rewrite exclusive", httpRoute("{name: http-gw}", "]\n"
                        + "    filters: [{type: RequestRedirect, requestRedirect: {hostname: a.example}}"),
                        httpRoute("{name: http-gw}", "]\n    filters: [{type: RequestRedirect, requestRedirect:"
                        + " {hostname: a.example}}, {type: URLRewrite, urlRewrite: {hostname: b.example}}"), HTTP_ROUTE,
                        "spec.rules[0].filters[1].type", false),
                new Rule("HTTPRoute header matched once per match", httpRoute("{name: http-gw}",
                        "{name: tcp-echo, port: 9000}]\n    matches: [{headers: [{name: a, value: '1'}, {name: b, value:"
                        + " '2'}]}"), httpRoute("{name: http-gw}", "{name: tcp-echo, port: 9000}]\n    matches: [{headers:"
                        + " [{name: a, value: '1'}, {name: a, value: '2'}]}"), HTTP_ROUTE,
                        "spec.rules[0].matches[0].headers[1].name", false),
                new Rule("warn: a host served twice on a listener", web(TO_V1.replace("    route", "  - route")),
                        web(TO_V1.replace("    route", "  - route")) + "---\n" + web(TO_V1.replace("    route", "  - route"))
                        .replace("name: web}", "name: web2}"), "VirtualService default/web2", "spec.hosts", true));
    }

    static final String HTTP_ROUTE = "HTTPRoute default/web";

    static String httpRoute(String parentRef, String backendRef) {
        return """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: http-gw}
                spec:
                  gatewayClassName: istio
                  listeners: [{name: http, protocol: HTTP, port: 9180}, {name: tcp, protocol: TCP, port: 9181}]
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: web}
                spec:
                  parentRefs: [""" + parentRef + "]\n  rules:\n  - backendRefs: [" + backendRef + "]\n";
    }

    static MeshSnapshot seeded() throws Exception {
        MeshSnapshot live = MeshSnapshot.empty();
        for (String f : List.of("tcp-echo-services.yaml", "tcp-echo-all-v1.yaml")) {
            var parsed = ResourceReader.readBody(Files.readAllBytes(Path.of("..", "samples", "tcp-echo", f)),
                    BodyFormat.YAML);
            live = VALIDATOR.decide(live, ChangeRequested.of("seed", Instant.EPOCH, Operation.APPLY,
                    parsed.resources(), false)).next().orElseThrow();
        }
        return live;
    }

    static ChangeValidator.Decision decide(String yaml) throws Exception {
        var parsed = ResourceReader.readBody(yaml.getBytes(StandardCharsets.UTF_8), BodyFormat.YAML);
        assertThat(parsed.errors()).as("the YAML of the case reads").isEmpty();
        return VALIDATOR.decide(seeded(), ChangeRequested.of("c", Instant.EPOCH, Operation.APPLY, parsed.resources(),
                false));
    }

    @org.junit.jupiter.api.Test
    void aRouteAcceptedBeforeItsOwnRulesWereTightenedDoesNotBlockOtherChanges() throws Exception {
        var parsed = ResourceReader.readBody(httpRoute("{name: http-gw}", "{name: tcp-echo, port: 9000}]\n"
                + "    matches: [{path: {type: PathPrefix, value: api}}").getBytes(StandardCharsets.UTF_8),
                BodyFormat.YAML);
        MeshSnapshot seeded = seeded();
        MeshSnapshot live = new MeshSnapshot(null, seeded.generation() + 1, "before", Instant.EPOCH,
                java.util.stream.Stream.concat(seeded.resources().stream(), parsed.resources().stream()).toList());
        // A registry change re-checks every route against the registry: not the routes' own field rules.
        var workload = ResourceReader.readBody("""
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: tcp-echo-v1-b}
                spec: {address: 127.0.0.1, ports: {tcp: 9101}, labels: {app: tcp-echo, version: v1}}
                """.getBytes(StandardCharsets.UTF_8), BodyFormat.YAML).resources();
        var result = VALIDATOR.decide(live, ChangeRequested.of("c", Instant.EPOCH, Operation.APPLY, workload, false))
                .result();
        assertThat(result.errors()).isEmpty();
        assertThat(decide(httpRoute("{name: http-gw}", "{name: tcp-echo, port: 9000}]\n"
                + "    matches: [{path: {type: PathPrefix, value: api}}")).result().errors())
                .as("applied again, it is refused").isNotEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"rules", "httpRules"})
    void validCasePasses(Rule rule) throws Exception {
        var result = decide(rule.valid()).result();
        assertThat(result.errors()).isEmpty();
        assertThat(result.warnings()).extracting(m -> m.resource() + " " + m.field())
                .doesNotContain(rule.resource() + " " + rule.field());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"rules", "httpRules"})
    void invalidCaseIsReportedAtItsField(Rule rule) throws Exception {
        var result = decide(rule.invalid()).result();
        List<ValidationMessage> findings = rule.warning() ? result.warnings() : result.errors();
        assertThat(findings).as(result.toString())
                .anySatisfy(m -> {
                    assertThat(m.resource()).isEqualTo(rule.resource());
                    assertThat(m.field()).isEqualTo(rule.field());
                    assertThat(m.message()).isNotBlank();
                });
        assertThat(result.status()).isEqualTo(rule.warning() ? ChangeStatus.ACCEPTED : ChangeStatus.REJECTED);
    }
}
