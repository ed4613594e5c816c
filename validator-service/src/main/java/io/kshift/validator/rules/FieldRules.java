package io.kshift.validator.rules;

import io.kshift.model.resource.Resource;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.util.Comparator;

/**
 * Field-level rules: the Hibernate Validator constraints declared on the model records. The property path of a
 * violation is already the user's field path ({@code spec.tcp[0].route[1].weight}).
 */
public final class FieldRules {
    private final Validator validator;

    public FieldRules(Validator validator) {
        this.validator = validator;
    }

    public void check(Resource resource, Findings findings) {
        validator.validate(resource).stream()
                .sorted(Comparator.comparing((ConstraintViolation<Resource> v) -> v.getPropertyPath().toString()))
                .forEach(v -> findings.error(resource.key(), userPath(v.getPropertyPath().toString()), v.getMessage()));
        if (resource.type() == io.kshift.model.resource.Kind.HTTP_ROUTE
                || resource.type() == io.kshift.model.resource.Kind.GRPC_ROUTE) {
            HttpRouteSchemaRules.check(resource, findings);
        }
        if (BackendFilterRules.appliesTo(resource.type())) {
            BackendFilterRules.check(resource, findings);
        }
    }

    /**
     * Hibernate Validator names container elements ({@code ports[http].<map value>}); users know {@code ports[http]}.
     * It names properties by their Java names too: the one whose YAML name is a Java keyword (Gateway API's
     * {@code spec.tls.frontend.default}, {@link io.kshift.model.gateway.FrontendTls}) is given its YAML name back.
     */
    static String userPath(String path) {
        return path.replace(".<map value>", "").replace(".<list element>", "").replace(".<iterable element>", "")
                .replace("tls.frontend.defaults.", "tls.frontend.default.");
    }
}
