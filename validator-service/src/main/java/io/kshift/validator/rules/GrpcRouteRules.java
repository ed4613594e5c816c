package io.kshift.validator.rules;

import io.kshift.model.gateway.GrpcRouteSpec;
import io.kshift.model.resource.Resource;
import java.util.regex.Pattern;

/**
 * What a GRPCRoute says beyond the HTTPRoute it is served as ({@link GatewayApiHttpRules} checks that part): each
 * method match names a service or a method or both, and exact names are names gRPC can call.
 */
final class GrpcRouteRules {
    /** The Gateway API's patterns for exact names: a dotted package and service, and a method identifier. */
    private static final Pattern SERVICE = Pattern.compile("(?i)\\.?[a-z_][a-z_0-9]*(\\.[a-z_][a-z_0-9]*)*");
    private static final Pattern METHOD = Pattern.compile("[A-Za-z_][A-Za-z_0-9]*");

    private GrpcRouteRules() {
    }

    static void check(Resource route, Findings findings) {
        GrpcRouteSpec spec = route.specAs(GrpcRouteSpec.class);
        for (int r = 0; r < spec.rules().size(); r++) {
            var matches = spec.rules().get(r).matches();
            for (int m = 0; m < matches.size(); m++) {
                GrpcRouteSpec.MethodMatch method = matches.get(m).method();
                String at = "spec.rules[" + r + "].matches[" + m + "].method";
                if (method == null) {
                    continue;
                }
                if (blank(method.service()) && blank(method.method())) {
                    findings.error(route.key(), at, "one or both of service and method must be given");
                } else if ("".equals(method.service()) || "".equals(method.method())) {
                    findings.error(route.key(), at + ("".equals(method.service()) ? ".service" : ".method"),
                            "must not be empty (leave it out to match any)");
                } else if (method.effectiveType() == GrpcRouteSpec.MatchType.Exact) {
                    if (!blank(method.service()) && !SERVICE.matcher(method.service()).matches()) {
                        findings.error(route.key(), at + ".service", "'" + method.service() + "' is not a gRPC"
                                + " service name (dotted identifiers, as com.example.Greeter)");
                    }
                    if (!blank(method.method()) && !METHOD.matcher(method.method()).matches()) {
                        findings.error(route.key(), at + ".method", "'" + method.method() + "' is not a gRPC"
                                + " method name (an identifier, as SayHello)");
                    }
                } else {
                    // Proxies match one pattern made of both parts: checked as such (each part alone may compile
                    // while the two together do not, e.g. a \Q in the service quoting the method's text).
                    String path = GrpcRouteSpec.path(method).value();
                    io.kshift.model.regex.Re2.problem(path).ifPresent(p -> findings.error(route.key(), at,
                            "service and method together, as the call path pattern " + path + ", " + p));
                }
            }
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isEmpty();
    }
}
