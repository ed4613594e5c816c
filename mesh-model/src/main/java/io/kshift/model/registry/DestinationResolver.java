package io.kshift.model.registry;

import io.kshift.model.gateway.BackendTlsPolicySpec;
import io.kshift.model.istio.ConnectionPoolSettings;
import io.kshift.model.istio.DestinationRuleSpec;
import io.kshift.model.istio.LoadBalancerSettings;
import io.kshift.model.istio.LoadBalancerSettings.SimpleLb;
import io.kshift.model.istio.Subset;
import io.kshift.model.istio.TrafficPolicy;
import io.kshift.model.mesh.IstioDuration;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a destination (host, subset, port) into endpoints and policy. The validator uses the problems it reports
 * to reject a change; the proxy's route table builder uses the same answers on validated config.
 */
public final class DestinationResolver {
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Istio's default TCP idle timeout: a connection with no bytes either way for an hour is closed. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofHours(1);

    /** Which part of the destination a problem is about, so a validator can name the field. */
    public enum Part { HOST, SUBSET, PORT }

    /**
     * A destination that cannot carry traffic, and why; {@code noEndpoints}: only because no workload is registered
     * for it (now).
     */
    public record Problem(Part part, String message, boolean noEndpoints) {
        public Problem(Part part, String message) {
            this(part, message, false);
        }
    }

    /** Either a destination or the reason there is none. */
    public record Result(ResolvedDestination destination, Problem problem) {
        public boolean ok() {
            return destination != null;
        }
    }

    private final ServiceRegistry registry;
    /** Each service's DestinationRules, oldest first: found once per config, not scanned per destination. */
    private final Map<MeshService, List<Resource>> rulesByService = new java.util.IdentityHashMap<>();

    /** Each Service's BackendTLSPolicies, oldest first (the API's tie-break: the oldest of two policies wins). */
    private final Map<MeshService, List<Resource>> tlsPoliciesByService = new java.util.IdentityHashMap<>();

    /**
     * DestinationRules that originate TLS to a host no Service or ServiceEntry declares, by host: a destination to
     * such a host, resolved by DNS, takes no DestinationRule, so it is refused rather than sent in plaintext.
     */
    private final Map<String, List<Resource>> tlsForUnregistered = new java.util.HashMap<>();

    /**
     * Hosts ServiceEntries declare that this view does not hold (not exported to the node's namespace), by
     * {@link #dnsKey}: such a host is not this node's to resolve by DNS, which would send the traffic wherever
     * public DNS says, without the entry's endpoints or rules. Istio's proxy has no cluster for it.
     */
    private final java.util.Set<String> hiddenEntryHosts;

    /** A DNS name as compared here: lower case, without a trailing dot. */
    private static String dnsKey(String host) {
        String h = host.toLowerCase(java.util.Locale.ROOT);
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    /** The node whose view this resolver resolves in: its namespace and labels choose its DestinationRules. */
    private final io.kshift.model.routing.NodeScope node;

    /** A resolver for no node in particular ({@link io.kshift.model.routing.NodeScope#EVERYWHERE}). */
    public DestinationResolver(MeshConfig config) {
        this(config, io.kshift.model.routing.NodeScope.EVERYWHERE);
    }

    /**
     * A resolver for {@code node}: a DestinationRule with a {@code workloadSelector} applies only if the node is of
     * the rule's namespace and carries the labels it asks for (Istio: "workload selectors do not apply across
     * namespace boundaries"). A node of no known labels ({@code EVERYWHERE}: the validator, tools) sees every rule.
     */
    public DestinationResolver(MeshConfig config, io.kshift.model.routing.NodeScope node) {
        this(config, node, config);
    }

    /**
     * A resolver for {@code node} on its {@code view} of the {@code whole} config: the hosts of ServiceEntries the
     * view does not hold resolve to nothing rather than by DNS.
     */
    public DestinationResolver(MeshConfig view, io.kshift.model.routing.NodeScope node, MeshConfig whole) {
        this.registry = ServiceRegistry.build(view, node.namespace());
        this.node = node;
        this.hiddenEntryHosts = hiddenEntryHosts(view, whole);
        for (Resource r : view.oldestFirst(Kind.DESTINATION_RULE)) {
            String host = r.specAs(DestinationRuleSpec.class).host();
            Optional<MeshService> service = registry.lookup(host, r.namespace());
            service.ifPresent(s -> rulesByService.computeIfAbsent(s, k -> new java.util.ArrayList<>()).add(r));
            if (service.isEmpty() && r.specAs(DestinationRuleSpec.class).workloadSelector() == null
                    && originatesTls(r.specAs(DestinationRuleSpec.class).trafficPolicy())) {
                tlsForUnregistered.computeIfAbsent(dnsKey(host), k -> new java.util.ArrayList<>()).add(r);
            }
        }
        for (Resource r : view.oldestFirst(Kind.BACKEND_TLS_POLICY)) {
            r.specAs(BackendTlsPolicySpec.class).targetRefs().stream().filter(BackendTlsPolicySpec.TargetRef::service)
                    .map(t -> registry.service(r.namespace(), t.name())).flatMap(Optional::stream).distinct()
                    .forEach(s -> tlsPoliciesByService.computeIfAbsent(s, k -> new java.util.ArrayList<>()).add(r));
        }
    }

    private static java.util.Set<String> hiddenEntryHosts(MeshConfig view, MeshConfig whole) {
        if (view == whole) {
            return java.util.Set.of();
        }
        java.util.Set<String> hidden = new java.util.HashSet<>();
        for (Resource r : whole.ofKind(Kind.SERVICE_ENTRY)) {
            if (view.get(r.key()).isEmpty()) {
                r.specAs(io.kshift.model.istio.ServiceEntrySpec.class).hosts().forEach(h -> hidden.add(dnsKey(h)));
            }
        }
        return hidden;
    }

    public ServiceRegistry registry() {
        return registry;
    }

    /** What a resolver reads: a change to resources of other kinds resolves every destination exactly as before. */
    private static final java.util.Set<Kind> INPUTS = java.util.EnumSet.of(Kind.SERVICE, Kind.SERVICE_ENTRY,
            Kind.WORKLOAD_ENTRY, Kind.DESTINATION_RULE, Kind.BACKEND_TLS_POLICY);

    /**
     * The resolver for {@code next}, a config that differs from this resolver's in {@code changedKeys}: this very
     * resolver when none of them is of a kind it reads (a route edit, the usual change), else a new one.
     */
    public DestinationResolver after(MeshConfig next, java.util.Collection<io.kshift.model.resource.ResourceKey> changedKeys) {
        return after(next, changedKeys, next);
    }

    /**
     * {@link #after(MeshConfig, java.util.Collection)} for a node's {@code next} view of the {@code whole} config;
     * {@code changedKeys} are the whole config's (a view's do not show an entry it hides changing its hosts).
     */
    public DestinationResolver after(MeshConfig next,
                                     java.util.Collection<io.kshift.model.resource.ResourceKey> changedKeys,
                                     MeshConfig whole) {
        for (var key : changedKeys) {
            if (INPUTS.contains(key.kind())) {
                return new DestinationResolver(next, node, whole);
            }
        }
        return this;
    }

    /** A VirtualService destination, seen from the VirtualService's namespace. */
    public Result resolve(String host, String subset, Integer port, String fromNamespace) {
        Optional<MeshService> service = registry.lookup(host, fromNamespace);
        if (service.isEmpty()) {
            return resolveDns(host, subset, port, fromNamespace);
        }
        return resolve(service.get(), host, subset, port);
    }

    /** A Gateway API backendRef: a Service by namespace and name. */
    public Result resolveBackend(String namespace, String name, Integer port) {
        Optional<MeshService> service = registry.service(namespace, name);
        if (service.isEmpty()) {
            return problem(Part.HOST, "Service " + namespace + "/" + name + " does not exist");
        }
        return resolve(service.get(), name, null, port);
    }

    private Result resolve(MeshService service, String host, String subset, Integer port) {
        Optional<ServicePortInfo> servicePort = service.port(port);
        if (servicePort.isEmpty()) {
            return problem(Part.PORT, port == null
                    ? service.displayName() + " has " + service.ports().size() + " ports; name one"
                    : service.displayName() + " has no port " + port);
        }
        Optional<Resource> rule = destinationRule(service);
        int portNumber = servicePort.get().number();
        // Istio: the subset's policy overrides the host's, and within each its portLevelSettings for this port.
        TrafficPolicy policy = rule.map(r -> r.specAs(DestinationRuleSpec.class).trafficPolicy())
                .map(t -> t.forPort(portNumber)).orElse(null);
        Map<String, String> labels = Map.of();
        if (subset != null && !subset.isEmpty()) {
            Optional<Subset> defined = rule.flatMap(r -> r.specAs(DestinationRuleSpec.class).subsets().stream()
                    .filter(s -> s.name().equals(subset)).findFirst());
            if (defined.isEmpty()) {
                List<String> rules = applying(service).stream().map(r -> r.key().toString()).toList();
                return problem(Part.SUBSET, "subset '" + subset + "' is not defined by any DestinationRule for host "
                        + host + (rule.isPresent() ? " (" + String.join(" and ", rules) + (rules.size() == 1
                        ? " defines " : " define ") + rule.get().specAs(DestinationRuleSpec.class).subsets().stream()
                        .map(Subset::name).toList() + ")" : ""));
            }
            labels = defined.get().labels();
            if (defined.get().trafficPolicy() != null) {
                // Istio's merge: the subset's fields override the host's, then the subset's own entry for the port
                // replaces them all.
                TrafficPolicy own = defined.get().trafficPolicy();
                policy = own.hasPort(portNumber) || policy == null
                        ? own.forPort(portNumber).withDestinationWideFrom(policy) : policy.overriddenBy(own);
            }
        }
        policy = entryNames(service, policy);
        List<Endpoint> endpoints = service.endpoints(labels);
        if (endpoints.isEmpty()) {
            return new Result(null, new Problem(subset == null ? Part.HOST : Part.SUBSET, service.displayName()
                    + " has no endpoints" + (labels.isEmpty() ? "" : " with labels " + labels)
                    + "; register its workloads (WorkloadEntry or ServiceEntry endpoints) first", true));
        }
        ServicePortInfo p = servicePort.get();
        List<HostPort> addresses = endpoints.stream()
                .map(e -> new HostPort(e.address(), MeshService.endpointPort(e, p))).toList();
        String version = endpoints.stream().map(e -> e.labels().get("version")).filter(v -> v != null)
                .distinct().reduce((a, b) -> a + "," + b).orElse(subset == null ? "unknown" : subset);
        return new Result(new ResolvedDestination(service.host(), subset, version, addresses,
                loadBalancer(policy), connectTimeout(policy), maxConnectionDuration(policy), policy,
                service.namespace(), p.number(), idleTimeout(policy), tlsCredential(rule, policy),
                http2(p, policy), policy != null && policy.tls() != null && policy.tls().originates() ? null
                : backendTls(service, p), endpoints.stream().map(Endpoint::locality).toList(),
                failoverPriorities(policy, endpoints), endpoints.stream().map(Endpoint::weight).toList()), null);
    }

    /** Each endpoint's priority for this node under the policy's failoverPriority; empty without one or a node. */
    private List<Integer> failoverPriorities(TrafficPolicy policy, List<Endpoint> endpoints) {
        var setting = policy == null || policy.loadBalancer() == null ? null
                : policy.loadBalancer().localityLbSetting();
        if (setting == null || setting.failoverPriority().isEmpty() || node.labels() == null) {
            return List.of();
        }
        return FailoverPriority.of(setting.failoverPriority(), node.labels(), node.locality(), endpoints);
    }

    /**
     * Istio: TLS originated to a ServiceEntry's hosts checks the entry's {@code subjectAltNames} where the
     * DestinationRule's settings give none.
     */
    private static TrafficPolicy entryNames(MeshService service, TrafficPolicy policy) {
        if (policy == null || policy.tls() == null || !policy.tls().originates()
                || !policy.tls().subjectAltNames().isEmpty() || service.subjectAltNames().isEmpty()) {
            return policy;
        }
        return policy.withTls(policy.tls().withSubjectAltNames(service.subjectAltNames()));
    }

    /**
     * The BackendTLSPolicy for a port of a Service: the oldest naming the port by {@code sectionName}, else the
     * oldest naming the whole Service (a policy for a section is the more specific, as the API ranks them). It
     * applies unless the DestinationRule for the port originates TLS itself (SIMPLE or MUTUAL): a rule that does not
     * (DISABLE, or a {@code tls} without a mode) never turns the policy's TLS into plaintext.
     */
    public Optional<Resource> backendTlsPolicy(MeshService service, ServicePortInfo port) {
        List<Resource> policies = tlsPoliciesByService.getOrDefault(service, List.of());
        Resource whole = null;
        for (Resource r : policies) {
            for (BackendTlsPolicySpec.TargetRef t : r.specAs(BackendTlsPolicySpec.class).targetRefs()) {
                if (!t.service() || !t.name().equals(service.name())) {
                    continue;
                }
                if (t.sectionName() == null) {
                    whole = whole == null ? r : whole;
                } else if (t.sectionName().equals(port.name())) {
                    return Optional.of(r);
                }
            }
        }
        return Optional.ofNullable(whole);
    }

    private BackendTls backendTls(MeshService service, ServicePortInfo port) {
        return backendTlsPolicy(service, port).map(r -> {
            BackendTlsPolicySpec.Validation v = r.specAs(BackendTlsPolicySpec.class).validation();
            List<io.kshift.model.resource.ResourceKey> bundles = v.caCertificateRefs().stream()
                    .filter(c -> c.coreKind() != null).map(c -> c.key(r.namespace())).toList();
            return new BackendTls(r.key(), v.hostname(), bundles, "System".equals(v.wellKnownCACertificates()),
                    v.subjectAltNames().stream()
                    .filter(n -> "Hostname".equals(n.type()) && n.hostname() != null)
                    .map(BackendTlsPolicySpec.SubjectAltName::hostname).toList(), v.subjectAltNames().stream()
                    .filter(n -> "URI".equals(n.type()) && n.uri() != null)
                    .map(BackendTlsPolicySpec.SubjectAltName::uri).toList());
        }).orElse(null);
    }

    private Result resolveDns(String host, String subset, Integer port, String fromNamespace) {
        if (!ServiceRegistry.dnsCandidate(host)) {
            return problem(Part.HOST, "host '" + host + "' is not a known Service or ServiceEntry host and not a"
                    + " DNS name that could be resolved");
        }
        if (hiddenEntryHosts.contains(dnsKey(host))) {
            return problem(Part.HOST, "host '" + host + "' is declared by a ServiceEntry not exported to namespace "
                    + node.namespace() + ", so proxies there have no endpoints for it (and do not resolve it by DNS"
                    + " instead)");
        }
        if (subset != null && !subset.isEmpty()) {
            return problem(Part.SUBSET, "host '" + host + "' resolves by DNS and has no labelled endpoints, so"
                    + " subset '" + subset + "' can select nothing");
        }
        if (port == null) {
            return problem(Part.PORT, "host '" + host + "' resolves by DNS; the destination must name a port");
        }
        // A rule where a proxy looks for one (its namespace's, for no node in particular the route's, or the root
        // namespace's), exported to the route's namespace (one with a workloadSelector applies to some nodes only,
        // left to them), whose policy for this port originates TLS: another team's rule for the host is not this one's.
        String own = node.namespace() != null ? node.namespace() : fromNamespace;
        Resource tls = tlsForUnregistered.getOrDefault(dnsKey(host), List.of()).stream()
                .filter(r -> r.namespace().equals(own) || r.namespace().equals(ROOT_NAMESPACE))
                .filter(r -> io.kshift.model.routing.Exports.exportedTo(r, fromNamespace))
                .filter(r -> {
                    TrafficPolicy forPort = r.specAs(DestinationRuleSpec.class).trafficPolicy().forPort(port);
                    return forPort.tls() != null && forPort.tls().originates();
                })
                .findFirst().orElse(null);
        if (tls != null) {
            return problem(Part.HOST, "host '" + host + "' resolves by DNS, and " + tls.key() + " originates TLS to it,"
                    + " which applies only to a declared host: without a ServiceEntry for it the traffic would go in"
                    + " plaintext; declare the host with a ServiceEntry");
        }
        return new Result(new ResolvedDestination(host, null, "unknown", List.of(new HostPort(host, port)),
                SimpleLb.ROUND_ROBIN, DEFAULT_CONNECT_TIMEOUT, null, null, fromNamespace, port, DEFAULT_IDLE_TIMEOUT,
                null, false, null), null);
    }

    /** Whether a policy originates TLS, for every port or for one of its {@code portLevelSettings}. */
    private static boolean originatesTls(TrafficPolicy policy) {
        return policy != null && (policy.tls() != null && policy.tls().originates() || policy.portLevelSettings()
                .stream().anyMatch(p -> p.tls() != null && p.tls().originates()));
    }

    private static io.kshift.model.resource.ResourceKey tlsCredential(Optional<Resource> rule, TrafficPolicy policy) {
        if (rule.isEmpty() || policy == null || policy.tls() == null || policy.tls().credentialName() == null) {
            return null;
        }
        return new io.kshift.model.resource.ResourceKey(Kind.SECRET, rule.get().namespace(),
                policy.tls().credentialName());
    }

    /**
     * The DestinationRule for a service, looked up as Istio's proxies look it up: the node's own namespace's rules
     * first (unless it is the root namespace), then the service's namespace's, then the root namespace's
     * ({@code istio-system}, the mesh-wide defaults). A rule in any other namespace applies to nothing here: it would
     * let one namespace change how every other one's proxies reach a service. Several in that namespace are
     * {@linkplain #merged merged}, those with a {@code workloadSelector} (on a node: those selecting it) first.
     */
    public Optional<Resource> destinationRule(MeshService service) {
        List<Resource> rules = applying(service);
        return rules.isEmpty() ? Optional.empty() : Optional.of(rules.size() == 1 ? rules.get(0) : merged(rules));
    }

    /** Every DestinationRule for the service the node sees, whatever namespace it applies from, oldest first. */
    public List<Resource> rules(MeshService service) {
        return rulesByService.getOrDefault(service, List.of());
    }

    /**
     * The rules of the one namespace whose rules apply ({@link #destinationRule}), selecting ones first, as Istio's
     * {@code PushContext.destinationRule} finds them for a node: first its own namespace's rules (for a node of the
     * root namespace, only that namespace's private ones: exportTo {@code .} alone, or a workloadSelector, which Istio
     * keeps private), and these decide even where none applies to the node (selecting rules that do not select it:
     * Istio then gives no rule); then the service's namespace's exported rules, then the root namespace's. A view
     * for no node in particular (the validator's) takes the service's namespace's rules, then the root's, all of
     * them, so a subset any node may find passes its route rules (the default nodes' view is checked apart).
     */
    private List<Resource> applying(MeshService service) {
        List<Resource> rules = rulesByService.getOrDefault(service, List.of());
        if (rules.isEmpty()) {
            return rules;
        }
        String own = node.namespace();
        if (own != null) {
            boolean root = own.equals(ROOT_NAMESPACE);
            List<Resource> local = rules.stream().filter(r -> r.namespace().equals(own) && (!root || privateRule(r)))
                    .toList();
            if (!local.isEmpty()) {
                return onThisNode(local);
            }
        }
        for (String namespace : new String[] {service.namespace(), ROOT_NAMESPACE}) {
            List<Resource> there = rules.stream().filter(r -> r.namespace().equals(namespace)
                    && (own == null || !privateRule(r))).toList();
            if (!there.isEmpty()) {
                return onThisNode(there);
            }
        }
        return List.of();
    }

    /** Istio's private rule, for its own namespace's proxies alone: exportTo {@code .} (or itself) alone, or a selector. */
    public static boolean privateRule(Resource rule) {
        DestinationRuleSpec spec = rule.specAs(DestinationRuleSpec.class);
        List<String> exportTo = spec.exportTo();
        return spec.workloadSelector() != null || exportTo.size() == 1
                && (exportTo.get(0).equals(".") || exportTo.get(0).equals(rule.namespace()));
    }

    /**
     * Of one namespace's rules, those that apply on this node, the selecting ones first: Istio gives a node the rule
     * whose workloadSelector selects it before the one without; the one without still gives what the selecting
     * rule leaves out (subsets, a policy) here, so a route validated against the namespace's rules finds its subset
     * on every node.
     */
    private List<Resource> onThisNode(List<Resource> oldestFirst) {
        if (oldestFirst.stream().noneMatch(DestinationResolver::hasSelector)) {
            return oldestFirst;
        }
        List<Resource> out = new java.util.ArrayList<>(oldestFirst.stream()
                .filter(r -> hasSelector(r) && appliesOnNode(r)).toList());
        oldestFirst.stream().filter(r -> !hasSelector(r)).forEach(out::add);
        return out;
    }

    public static boolean hasSelector(Resource rule) {
        return rule.specAs(DestinationRuleSpec.class).workloadSelector() != null;
    }

    private boolean appliesOnNode(Resource rule) {
        var selector = rule.specAs(DestinationRuleSpec.class).workloadSelector();
        return selector == null || node.labels() == null
                || rule.namespace().equals(node.namespace()) && selector.selects(node.labels());
    }

    /**
     * Of the rules that apply to a service ({@link #destinationRule}), those with a workloadSelector that alone define
     * {@code subset}: nodes they do not select find no such subset. Empty when a rule without selector defines it too.
     */
    public List<Resource> subsetDefinedOnlyBySelecting(String host, String subset, String fromNamespace) {
        Optional<MeshService> service = registry.lookup(host, fromNamespace);
        if (subset == null || service.isEmpty()) {
            return List.of();
        }
        List<Resource> defining = applying(service.get()).stream().filter(r -> r.specAs(DestinationRuleSpec.class)
                .subsets().stream().anyMatch(s -> s.name().equals(subset))).toList();
        return defining.stream().allMatch(DestinationResolver::hasSelector) ? defining : List.of();
    }

    /**
     * Several rules of one namespace for one host, merged as Istio merges them: the first's metadata, its
     * trafficPolicy or the next one's that has one, and every subset, the first's where two share a name (oldest
     * first, those with a workloadSelector before the rest).
     */
    static Resource merged(List<Resource> oldestFirst) {
        Resource first = oldestFirst.get(0);
        DestinationRuleSpec base = first.specAs(DestinationRuleSpec.class);
        TrafficPolicy policy = null;
        Map<String, Subset> subsets = new java.util.LinkedHashMap<>();
        for (Resource r : oldestFirst) {
            DestinationRuleSpec spec = r.specAs(DestinationRuleSpec.class);
            policy = policy != null ? policy : spec.trafficPolicy();
            spec.subsets().forEach(s -> subsets.putIfAbsent(s.name(), s));
        }
        return new Resource(first.apiVersion(), first.kind(), first.metadata(), new DestinationRuleSpec(base.host(),
                policy, List.copyOf(subsets.values()), base.exportTo()));
    }

    /** Istio's default root namespace, whose DestinationRules and Sidecar are the mesh's defaults. */
    public static final String ROOT_NAMESPACE = "istio-system";

    /**
     * Istio: HTTP/2 to a port declared gRPC or HTTP/2; to an HTTP port too when the policy says {@code UPGRADE}
     * ({@code DO_NOT_UPGRADE} and {@code DEFAULT} keep HTTP/1.1, the mesh default).
     */
    private static boolean http2(ServicePortInfo port, TrafficPolicy policy) {
        if (port.http2()) {
            return true;
        }
        var http = policy == null || policy.connectionPool() == null ? null : policy.connectionPool().http();
        return http != null && http.h2UpgradePolicy()
                == io.kshift.model.istio.ConnectionPoolSettings.HttpSettings.H2UpgradePolicy.UPGRADE;
    }

    private static SimpleLb loadBalancer(TrafficPolicy policy) {
        LoadBalancerSettings lb = policy == null ? null : policy.loadBalancer();
        SimpleLb simple = lb == null || lb.simple() == null ? SimpleLb.ROUND_ROBIN : lb.simple();
        return simple == SimpleLb.UNSPECIFIED ? SimpleLb.ROUND_ROBIN : simple;
    }

    private static Duration connectTimeout(TrafficPolicy policy) {
        ConnectionPoolSettings pool = policy == null ? null : policy.connectionPool();
        String text = pool == null || pool.tcp() == null ? null : pool.tcp().connectTimeout();
        return IstioDuration.parse(text).orElse(DEFAULT_CONNECT_TIMEOUT);
    }

    private static Duration maxConnectionDuration(TrafficPolicy policy) {
        ConnectionPoolSettings pool = policy == null ? null : policy.connectionPool();
        String text = pool == null || pool.tcp() == null ? null : pool.tcp().maxConnectionDuration();
        return IstioDuration.parse(text).orElse(null);
    }

    private static Duration idleTimeout(TrafficPolicy policy) {
        ConnectionPoolSettings pool = policy == null ? null : policy.connectionPool();
        String text = pool == null || pool.tcp() == null ? null : pool.tcp().idleTimeout();
        return IstioDuration.parse(text).orElse(DEFAULT_IDLE_TIMEOUT);
    }

    private static Result problem(Part part, String message) {
        return new Result(null, new Problem(part, message));
    }
}
