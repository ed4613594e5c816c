package io.kshift.validator.rules;

import io.kshift.model.gateway.BackendTlsPolicySpec;
import io.kshift.model.gateway.BackendTlsPolicySpec.TargetRef;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.registry.DestinationResolver;
import io.kshift.model.registry.MeshService;
import io.kshift.model.registry.ServicePortInfo;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;
import io.kshift.model.resource.ResourceKey;
import io.kshift.model.routing.TlsBindings;
import io.kshift.model.status.StatusNote;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Gateway API BackendTLSPolicy, as its CRD and GEP-1897 define it (no API server sits in front of kshift): targets
 * are local core Services, at most 16, two refs to one Service only with distinct {@code sectionName}s; exactly one
 * of {@code caCertificateRefs} (at most 8, core ConfigMaps or Secrets, each existing with a {@code ca.crt} that
 * reads) and {@code wellKnownCACertificates: System}; a precise {@code hostname}; {@code subjectAltNames} (at most 5)
 * each of its type. Every policy is checked again when a policy, Service or DestinationRule changes (the change
 * validator touches them all): a {@code sectionName} the Service has no port of is refused, whichever side changed
 * (a policy would otherwise stop applying and its port go plaintext), and so is a CA bundle deleted from under a
 * policy. A missing Service and a younger policy for a target an older one holds are status notes ({@code Accepted:
 * False}, {@code TargetNotFound} or {@code Conflicted}: the API's rule, the oldest applies); a DestinationRule's
 * or one of its subsets' {@code tls} on a targeted port, from any namespace, is a warning.
 */
final class BackendTlsPolicyRules {
    /** Kinds whose change has every policy checked again. */
    static final Set<Kind> INPUTS = java.util.EnumSet.of(Kind.BACKEND_TLS_POLICY, Kind.SERVICE,
            Kind.DESTINATION_RULE, Kind.SERVICE_ENTRY);
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern URI = Pattern.compile("[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]*[^?#]*(\\?[^#]*)?(#.*)?");

    private BackendTlsPolicyRules() {
    }

    /**
     * A policy the change {@code touched} is checked whole; another only where the change reaches it: its CA bundles,
     * when one changed or is gone (the live config passed the rest).
     */
    static void check(MeshConfig config, DestinationResolver resolver, Set<ResourceKey> touched, Findings findings) {
        for (Resource policy : config.ofKind(Kind.BACKEND_TLS_POLICY)) {
            BackendTlsPolicySpec spec = policy.specAs(BackendTlsPolicySpec.class);
            boolean changed = touched.contains(policy.key());
            if (changed) {
                targets(resolver, policy, spec, findings);
                spec.options().keySet().stream().sorted().forEach(k -> findings.error(policy.key(),
                        "spec.options." + k, "not supported: kshift defines no BackendTLSPolicy options, and an option"
                                + " it ignored could be one that tightens TLS"));
            }
            if (spec.validation() != null) {
                validation(config, policy, spec.validation(), changed, touched, findings);
            }
        }
    }

    private static void targets(DestinationResolver resolver, Resource policy, BackendTlsPolicySpec spec,
                                Findings findings) {
        if (spec.targetRefs().isEmpty()) {
            findings.error(policy.key(), "spec.targetRefs", "at least one target is required");
        } else if (spec.targetRefs().size() > 16) {
            findings.error(policy.key(), "spec.targetRefs", "at most 16 targets, not " + spec.targetRefs().size());
        }
        java.util.Map<String, List<String>> sections = new java.util.HashMap<>();
        for (int i = 0; i < spec.targetRefs().size(); i++) {
            TargetRef t = spec.targetRefs().get(i);
            String at = "spec.targetRefs[" + i + "]";
            if (t.group() == null || t.kind() == null || t.name() == null) {
                continue; // reported as required by the model's constraints
            }
            if (!t.service()) {
                findings.error(policy.key(), at + ".kind", "only core Services are served as targets, not "
                        + (t.group().isEmpty() ? "" : t.group() + "/") + t.kind());
                continue;
            }
            List<String> earlier = sections.computeIfAbsent(t.name(), n -> new java.util.ArrayList<>());
            String section = t.sectionName() == null ? "" : t.sectionName();
            if (!earlier.isEmpty() && (section.isEmpty() || earlier.contains(""))) {
                findings.error(policy.key(), at + ".sectionName", "Service " + t.name() + " is named by an earlier"
                        + " entry: several entries for one Service each name a different port by sectionName");
                continue;
            }
            if (earlier.contains(section)) {
                findings.error(policy.key(), at + ".sectionName", "port '" + section + "' of Service " + t.name()
                        + " is named by an earlier entry; each once");
                continue;
            }
            earlier.add(section);
            Optional<MeshService> service = resolver.registry().service(policy.namespace(), t.name());
            if (service.isEmpty()) {
                findings.note(policy.key(), new StatusNote(StatusNote.ACCEPTED, "TargetNotFound", at + ".name",
                        "Service " + policy.namespace() + "/" + t.name() + " does not exist; the policy applies to it"
                                + " when it is created"));
                continue;
            }
            List<ServicePortInfo> ports = service.get().ports().stream()
                    .filter(p -> t.sectionName() == null || t.sectionName().equals(p.name())).toList();
            if (ports.isEmpty()) {
                findings.error(policy.key(), at + ".sectionName", "Service " + policy.namespace() + "/" + t.name()
                        + " has no port named '" + t.sectionName() + "' (it has " + service.get().ports().stream()
                        .map(ServicePortInfo::name).toList() + "): the policy would originate TLS toward nothing;"
                        + " change the policy and the Service together");
            }
            for (ServicePortInfo port : ports) {
                held(resolver, policy, service.get(), port, at, findings);
            }
            shadowed(resolver, policy, service.get(), at, findings);
        }
    }

    /**
     * A ServiceEntry declaring the Service's own host answers for that name (ServiceEntry hosts come first, as
     * Istio's registry merges them): destinations naming the host in full reach the entry, which this policy does not
     * target, and go without its TLS.
     */
    private static void shadowed(DestinationResolver resolver, Resource policy, MeshService service, String at,
                                 Findings findings) {
        resolver.registry().lookup(service.host(), service.namespace())
                .filter(found -> found.origin() != MeshService.Origin.SERVICE)
                .ifPresent(entry -> findings.warn(policy.key(), at + ".name", entry.displayName() + " declares "
                        + service.host() + ", the host of " + service.displayName() + ": destinations naming that"
                        + " host in full reach the ServiceEntry's endpoints without this policy's TLS (backendRefs"
                        + " and short names still reach the Service)"));
    }

    /**
     * The port's policy is another (older, or for the section): a status note; or a DestinationRule's {@code tls}
     * is set for it: a warning, saying which wins.
     */
    private static void held(DestinationResolver resolver, Resource policy, MeshService service, ServicePortInfo port,
                             String at, Findings findings) {
        String where = service.displayName() + " port " + port.number();
        Optional<Resource> applies = resolver.backendTlsPolicy(service, port);
        if (applies.isPresent() && !applies.get().key().equals(policy.key())) {
            findings.note(policy.key(), new StatusNote(StatusNote.ACCEPTED, "Conflicted", at, "conflicted: "
                    + applies.get().key() + " applies to " + where + " (the older policy, or one for that port by"
                    + " sectionName, takes a target)"));
            return;
        }
        // Any rule may apply, from the namespace a node is in (Istio's lookup), and a subset's policy overrides the
        // host's: each tls that originates TLS for the port decides instead of the policy where that rule applies.
        for (Resource rule : resolver.rules(service)) {
            var spec = rule.specAs(io.kshift.model.istio.DestinationRuleSpec.class);
            ruleTls(policy, rule, spec.trafficPolicy(), "its tls", port, where, at, findings);
            for (var subset : spec.subsets()) {
                ruleTls(policy, rule, subset.trafficPolicy(), "subset " + subset.name() + "'s tls", port, where, at,
                        findings);
            }
        }
    }

    private static void ruleTls(Resource policy, Resource rule, io.kshift.model.istio.TrafficPolicy traffic,
                                String which, ServicePortInfo port, String where, String at, Findings findings) {
        var tls = traffic == null ? null : traffic.forPort(port.number()).tls();
        if (tls != null && tls.originates()) {
            findings.warn(policy.key(), at, rule.key() + " originates TLS to " + where + " itself (" + which + "),"
                    + " and takes precedence over this policy where it applies" + (tls.verifies() ? ""
                    : ", without checking the backend's certificate (insecureSkipVerify)"));
        } else if (tls != null) {
            findings.warn(policy.key(), at, rule.key() + " sets a tls for " + where + " that originates none ("
                    + which + "); this policy's TLS applies there");
        }
    }

    private static void validation(MeshConfig config, Resource policy, BackendTlsPolicySpec.Validation v,
                                   boolean changed, Set<ResourceKey> touched, Findings findings) {
        String at = "spec.validation";
        if (!changed) {
            bundles(config, policy, v, touched, findings);
            return;
        }
        if (v.hostname() != null && !hostname(v.hostname(), false)) {
            findings.error(policy.key(), at + ".hostname", "must be a lowercase DNS name without a wildcard (it is"
                    + " the SNI sent to the backend), not '" + v.hostname() + "'");
        }
        boolean bundles = !v.caCertificateRefs().isEmpty();
        if (bundles == (v.wellKnownCACertificates() != null)) {
            findings.error(policy.key(), at, "exactly one of caCertificateRefs and wellKnownCACertificates is"
                    + " required: the CAs the backend's certificate must chain to");
        }
        if (v.wellKnownCACertificates() != null && !"System".equals(v.wellKnownCACertificates())) {
            findings.error(policy.key(), at + ".wellKnownCACertificates", "must be System (the JDK's trusted CAs),"
                    + " not '" + v.wellKnownCACertificates() + "'");
        }
        if (v.caCertificateRefs().size() > 8) {
            findings.error(policy.key(), at + ".caCertificateRefs", "at most 8 CA bundles, not "
                    + v.caCertificateRefs().size());
        }
        for (int i = 0; i < v.caCertificateRefs().size(); i++) {
            BackendTlsPolicySpec.CaRef ref = v.caCertificateRefs().get(i);
            if (ref.group() != null && ref.kind() != null && ref.coreKind() == null) {
                findings.error(policy.key(), at + ".caCertificateRefs[" + i + "].kind", "a CA bundle is read from a"
                        + " core ConfigMap or Secret (its ca.crt), not " + (ref.group().isEmpty() ? ""
                        : ref.group() + "/") + ref.kind());
            }
        }
        bundles(config, policy, v, null, findings);
        if (v.subjectAltNames().size() > 5) {
            findings.error(policy.key(), at + ".subjectAltNames", "at most 5 names, not " + v.subjectAltNames().size());
        }
        for (int i = 0; i < v.subjectAltNames().size(); i++) {
            subjectAltName(policy, v.subjectAltNames().get(i), at + ".subjectAltNames[" + i + "]", findings);
        }
    }

    /** The CA bundles exist and read; {@code only}: just those it names, or that are gone (null: all). */
    private static void bundles(MeshConfig config, Resource policy, BackendTlsPolicySpec.Validation v,
                                Set<ResourceKey> only, Findings findings) {
        for (int i = 0; i < v.caCertificateRefs().size(); i++) {
            BackendTlsPolicySpec.CaRef ref = v.caCertificateRefs().get(i);
            if (ref.group() == null || ref.kind() == null || ref.name() == null || ref.coreKind() == null) {
                continue;
            }
            ResourceKey key = ref.key(policy.namespace());
            if (only == null || only.contains(key) || config.get(key).isEmpty()) {
                TlsRules.caBundle(config, policy.key(), new TlsBindings.SecretRef(key,
                        "spec.validation.caCertificateRefs[" + i + "]"), "backends' certificates", findings);
            }
        }
    }

    private static void subjectAltName(Resource policy, BackendTlsPolicySpec.SubjectAltName n, String at,
                                       Findings findings) {
        if ("Hostname".equals(n.type())) {
            if (n.hostname() == null || n.uri() != null) {
                findings.error(policy.key(), at, "type Hostname takes a hostname and no uri");
            } else if (!hostname(n.hostname(), true)) {
                findings.error(policy.key(), at + ".hostname", "must be a lowercase DNS name, '*.' allowed first,"
                        + " not '" + n.hostname() + "'");
            }
        } else if ("URI".equals(n.type())) {
            if (n.uri() == null || n.hostname() != null) {
                findings.error(policy.key(), at, "type URI takes a uri and no hostname");
            } else if (!URI.matcher(n.uri()).matches()) {
                findings.error(policy.key(), at + ".uri", "must be an absolute URI (scheme://authority...), such as a"
                        + " SPIFFE ID, not '" + n.uri() + "'");
            }
        } else if (n.type() != null) {
            findings.error(policy.key(), at + ".type", "must be Hostname or URI, not '" + n.type() + "'");
        }
    }

    /** A lowercase RFC 1123 subdomain of at most 253 characters; {@code wildcard}: a leading {@code *.} allowed. */
    static boolean hostname(String name, boolean wildcard) {
        String rest = wildcard && name.startsWith("*.") ? name.substring(2) : name;
        if (rest.isEmpty() || name.length() > 253) {
            return false;
        }
        for (String label : rest.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }
}
