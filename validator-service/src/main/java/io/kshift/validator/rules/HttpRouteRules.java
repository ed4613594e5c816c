package io.kshift.validator.rules;

import io.kshift.model.istio.HttpMatchRequest;
import io.kshift.model.istio.HttpMirrorPolicy;
import io.kshift.model.istio.HttpRoute;
import io.kshift.model.istio.StringMatch;
import io.kshift.model.istio.VirtualServiceSpec;
import io.kshift.model.registry.DestinationResolver;
import io.kshift.model.resource.Resource;
import io.kshift.model.resource.ResourceKey;
import io.kshift.model.routing.ListenerBindings;
import io.kshift.model.routing.WeightedTarget;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The {@code spec.http} routes of a VirtualService: Istio's structural rules (route or redirect, not both; mirror or
 * mirrors, not both; no empty match strings) and make-before-break for every destination and mirror, plus the
 * warnings Istio only gives in {@code istioctl analyze}: a route shadowed by an earlier catch-all.
 */
final class HttpRouteRules {
    private HttpRouteRules() {
    }

    static void check(io.kshift.model.mesh.MeshConfig config, Resource vs, VirtualServiceSpec spec,
                      Predicate<String> gatewayExists, DestinationResolver resolver, Findings findings) {
        ResourceKey key = vs.key();
        int catchAll = -1;
        for (int i = 0; i < spec.http().size(); i++) {
            HttpRoute route = spec.http().get(i);
            String field = "spec.http[" + i + "]";
            if (catchAll >= 0) {
                findings.warn(key, field, "shadowed by spec.http[" + catchAll + "], which matches every request;"
                        + " this route never applies");
            } else if (route.matchesEverything() && route.delegate() == null) {
                // A delegating route takes what its delegate's routes match, which need not be everything.
                catchAll = i;
            }
            structure(key, field, route, findings);
            if (route.delegate() != null) {
                delegate(config, vs, spec, field, route, findings);
            }
            for (int j = 0; j < route.match().size(); j++) {
                match(key, field + ".match[" + j + "]", route.match().get(j), gatewayExists, findings);
            }
            if (!route.route().isEmpty()) {
                List<WeightedTarget> targets = ListenerBindings.istioTargets(route, vs.namespace(), field);
                RouteRules.targets(key, field + ".route", targets, resolver, findings, RouteRules.Traffic.HTTP);
            }
            mirrors(vs, field, route, resolver, findings);
            if (route.corsPolicy() != null) {
                for (int o = 0; o < route.corsPolicy().allowOrigins().size(); o++) {
                    StringMatch origin = route.corsPolicy().allowOrigins().get(o);
                    if (origin != null && origin.presenceOnly()) {
                        findings.error(key, field + ".corsPolicy.allowOrigins[" + o + "]", EMPTY_MATCH);
                    }
                }
            }
        }
    }

    static final String EMPTY_MATCH = "one of [exact, prefix, regex] is required (an empty match checks presence, "
            + "which only headers, withoutHeaders and queryParams do)";

    /**
     * Istio's rules for Host in header edits: a request's may be set (an authority rewrite) but not removed (the
     * upstream request would go without one), and an answer has none to edit.
     */
    private static void hostEdits(ResourceKey key, String field, io.kshift.model.istio.Headers headers,
                                  Findings findings) {
        if (headers == null) {
            return;
        }
        if (headers.request() != null && headers.request().remove().stream().anyMatch("host"::equalsIgnoreCase)) {
            findings.laterRule(key, field + ".request.remove", "cannot remove Host: every request upstream carries one"
                    + " (set it, or rewrite.authority, to change it)");
        }
        var response = headers.response();
        if (response != null && (response.remove().stream().anyMatch("host"::equalsIgnoreCase)
                || response.set().keySet().stream().anyMatch("host"::equalsIgnoreCase)
                || response.add().keySet().stream().anyMatch("host"::equalsIgnoreCase))) {
            findings.laterRule(key, field + ".response", "cannot edit Host: it is a request header");
        }
    }

    /** Istio's rules for {@code uriRegexRewrite}: both its fields, and not beside {@code uri}. */
    private static void regexRewrite(ResourceKey key, String field, io.kshift.model.istio.HttpRewrite rewrite,
                                     Findings findings) {
        var regex = rewrite == null ? null : rewrite.uriRegexRewrite();
        if (regex == null) {
            return;
        }
        if (rewrite.uri() != null) {
            findings.laterRule(key, field + ".uriRegexRewrite", "a rewrite may have uri or uriRegexRewrite, not both");
        }
        if (regex.match() == null || regex.match().isEmpty()) {
            findings.laterRule(key, field + ".uriRegexRewrite.match", "is required");
        }
        if (regex.rewrite() == null || regex.rewrite().isEmpty()) {
            findings.laterRule(key, field + ".uriRegexRewrite.rewrite", "is required");
        }
    }

    private static void structure(ResourceKey key, String field, HttpRoute route, Findings findings) {
        if (route.redirect() != null) {
            Integer code = route.redirect().redirectCode();
            if (code != null && !io.kshift.model.istio.HttpRedirect.CODES.contains(code)) {
                findings.error(key, field + ".redirect.redirectCode", "must be one of 301, 302, 303, 307, 308");
            }
            if (!route.route().isEmpty()) {
                findings.error(key, field + ".redirect", "an http route cannot have both route and redirect");
            }
            if (route.fault() != null) {
                findings.error(key, field + ".fault", "an http route cannot have both fault and redirect");
            }
            if (route.rewrite() != null) {
                findings.error(key, field + ".rewrite", "an http route cannot have both rewrite and redirect");
            }
        } else if (route.route().isEmpty() && route.directResponse() == null && route.delegate() == null) {
            findings.error(key, field + ".route",
                    "an http route needs a route (destinations), a redirect, a directResponse or a delegate");
        }
        directResponse(key, field, route, findings);
        regexRewrite(key, field + ".rewrite", route.rewrite(), findings);
        hostEdits(key, field + ".headers", route.headers(), findings);
        for (int d = 0; d < route.route().size(); d++) {
            hostEdits(key, field + ".route[" + d + "].headers", route.route().get(d).headers(), findings);
        }
        if (route.mirror() != null && !route.mirrors().isEmpty()) {
            findings.error(key, field + ".mirrors", "an http route cannot have both mirror and mirrors");
        }
        if (route.mirrorPercentage() != null && route.mirror() == null) {
            findings.warn(key, field + ".mirrorPercentage", "has no effect without mirror");
        }
        if (route.fault() != null && route.fault().delay() == null && route.fault().abort() == null) {
            findings.error(key, field + ".fault", "a fault needs a delay or an abort");
        }
        if (route.fault() != null && route.fault().delay() != null && route.fault().delay().percentage() == null) {
            findings.warn(key, field + ".fault.delay.percentage", "not set: no request will be delayed (as in Istio)");
        }
        if (route.fault() != null && route.fault().abort() != null && route.fault().abort().percentage() == null) {
            findings.warn(key, field + ".fault.abort.percentage", "not set: no request will be aborted (as in Istio)");
        }
    }

    /**
     * Istio: a delegating route has no action of its own (the delegate's routes have them); the delegate is a
     * VirtualService without hosts that does not delegate again. One that does not exist yet is a warning: the
     * route serves nothing until it is created (files apply in any order).
     */
    private static void delegate(io.kshift.model.mesh.MeshConfig config, Resource vs, VirtualServiceSpec spec,
                                 String field, HttpRoute route, Findings findings) {
        ResourceKey key = vs.key();
        if (io.kshift.model.routing.Delegation.isDelegate(spec)) {
            findings.error(key, field + ".delegate", "a delegate (a VirtualService without hosts) cannot delegate"
                    + " again: Istio supports one level");
            return;
        }
        if (!route.route().isEmpty() || route.redirect() != null || route.directResponse() != null) {
            findings.error(key, field + ".delegate", "an http route with a delegate has no route, redirect or"
                    + " directResponse of its own: the delegate's routes decide");
        }
        ResourceKey named = route.delegate().key(vs.namespace());
        var target = config.get(named);
        String ns = named.namespace();
        var ref = route.delegate();
        if (target.isEmpty()) {
            findings.note(key, new io.kshift.model.status.StatusNote(io.kshift.model.status.StatusNote.RESOLVED_REFS,
                    "RefNotFound", field + ".delegate", "VirtualService " + ns + "/" + ref.name()
                    + " does not exist (yet): this route serves nothing until it is created"));
        } else if (!io.kshift.model.routing.Delegation.isDelegate(target.get().specAs(VirtualServiceSpec.class))) {
            // Said, not refused: the named VirtualService may be another namespace's, whose owner's changes this
            // route must not block (Istio ignores such a delegate too).
            findings.note(key, new io.kshift.model.status.StatusNote(io.kshift.model.status.StatusNote.RESOLVED_REFS,
                    "InvalidKind", field + ".delegate", "VirtualService " + ns + "/" + ref.name() + " has hosts, so"
                    + " it is not a delegate (a VirtualService without hosts): this route serves nothing"));
        } else if (!io.kshift.model.routing.Exports.exportedTo(target.get(), vs.namespace())) {
            findings.note(key, new io.kshift.model.status.StatusNote(io.kshift.model.status.StatusNote.RESOLVED_REFS,
                    "RefNotPermitted", field + ".delegate", "VirtualService " + ns + "/" + ref.name() + " is not"
                    + " exported to namespace " + vs.namespace() + " (its exportTo): this route serves nothing"));
        }
    }

    /**
     * Istio: a direct response is the route's only action (no route, redirect, rewrite or fault); its body is text
     * or base64, up to 1 MiB.
     */
    private static void directResponse(ResourceKey key, String field, HttpRoute route, Findings findings) {
        var direct = route.directResponse();
        if (direct == null) {
            return;
        }
        String at = field + ".directResponse";
        if (!route.route().isEmpty()) {
            findings.error(key, at, "an http route cannot have both route and directResponse");
        }
        if (route.redirect() != null) {
            findings.error(key, at, "an http route cannot have both redirect and directResponse");
        }
        if (route.rewrite() != null) {
            findings.error(key, field + ".rewrite", "an http route cannot have both rewrite and directResponse");
        }
        if (route.fault() != null) {
            findings.error(key, field + ".fault", "an http route cannot have both fault and directResponse");
        }
        if (direct.body() == null) {
            return;
        }
        if (direct.status() != null && (direct.status() == 204 || direct.status() == 304)) {
            findings.warn(key, at + ".body", "a " + direct.status() + " answer has no body: it is not sent");
        }
        if (direct.body().string() != null && direct.body().bytes() != null) {
            findings.error(key, at + ".body", "string and bytes are exclusive");
            return;
        }
        try {
            if (direct.body().content().length > io.kshift.model.istio.HttpDirectResponse.MAX_BODY_BYTES) {
                findings.error(key, at + ".body", "over " + io.kshift.model.istio.HttpDirectResponse.MAX_BODY_BYTES
                        + " bytes");
            }
        } catch (IllegalArgumentException e) {
            findings.error(key, at + ".body.bytes", "not base64: " + e.getMessage());
        }
    }

    private static void match(ResourceKey key, String field, HttpMatchRequest m, Predicate<String> gatewayExists,
                              Findings findings) {
        nonEmpty(key, field + ".uri", m.uri(), findings);
        nonEmpty(key, field + ".authority", m.authority(), findings);
        nonEmpty(key, field + ".method", m.method(), findings);
        nonEmpty(key, field + ".scheme", m.scheme(), findings);
        // Proxies match this case-insensitively: checked as it will be compiled (a uri regex is matched as written,
        // ignoreUriCase or not, as Envoy's safe_regex).
        caseInsensitive(key, field + ".authority.regex", m.authority(), findings);
        names(key, field + ".headers", m.headers(), findings);
        names(key, field + ".withoutHeaders", m.withoutHeaders(), findings);
        names(key, field + ".queryParams", m.queryParams(), findings);
        for (int g = 0; g < m.gateways().size(); g++) {
            if (!gatewayExists.test(m.gateways().get(g))) {
                findings.warn(key, field + ".gateways[" + g + "]", RouteRules.notYet("Gateway '"
                        + m.gateways().get(g) + "'"));
            }
        }
    }

    private static void caseInsensitive(ResourceKey key, String field, StringMatch match, Findings findings) {
        if (match != null && match.regex() != null) {
            io.kshift.model.regex.Re2.problem(match.regex(), true).ifPresent(p -> findings.error(key, field, p));
        }
    }

    private static void names(ResourceKey key, String field, Map<String, StringMatch> matches, Findings findings) {
        matches.forEach((name, match) -> {
            if (name.isBlank()) {
                findings.error(key, field, "a header or parameter name must not be empty");
            } else if (match == null) {
                findings.error(key, field + "." + name, "needs a match: {} checks that it is present, as Istio");
            }
        });
    }

    /**
     * Istio rejects {@code prefix: ""} and {@code regex: ""}: they would match everything by accident. An empty match
     * is a presence check, which only headers and parameters have.
     */
    private static void nonEmpty(ResourceKey key, String field, StringMatch match, Findings findings) {
        if (match == null) {
            return;
        }
        if (match.presenceOnly()) {
            findings.error(key, field, EMPTY_MATCH);
        }
        if ("".equals(match.prefix())) {
            findings.error(key, field + ".prefix", "must not be empty (omit the match to match everything)");
        }
        if ("".equals(match.regex())) {
            findings.error(key, field + ".regex", "must not be empty (omit the match to match everything)");
        }
    }

    private static void mirrors(Resource vs, String field, HttpRoute route, DestinationResolver resolver,
                                Findings findings) {
        List<HttpMirrorPolicy> mirrors = route.allMirrors();
        for (int m = 0; m < mirrors.size(); m++) {
            String at = route.mirror() != null && m == 0 ? field + ".mirror" : field + ".mirrors["
                    + (route.mirror() != null ? m - 1 : m) + "].destination";
            WeightedTarget t = ListenerBindings.target(at, 1, mirrors.get(m).destination(), vs.namespace());
            DestinationResolver.Result result = t.resolve(resolver);
            if (!result.ok()) {
                RouteRules.unresolved(vs.key(), at + "." + result.problem().part().name()
                        .toLowerCase(java.util.Locale.ROOT), "mirror: ", t, result, findings);
            } else {
                RouteRules.carried(vs.key(), at, "mirror " + t.describe(), result, RouteRules.Traffic.HTTP, findings);
                RouteRules.selectedOnly(vs.key(), at + ".subset", t, resolver, findings);
            }
        }
    }
}
