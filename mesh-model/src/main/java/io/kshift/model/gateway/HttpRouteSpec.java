package io.kshift.model.gateway;

import io.kshift.model.Lists;
import io.kshift.model.resource.ResourceSpec;
import jakarta.validation.Valid;
import java.util.List;

/** Gateway API {@code HTTPRoute}: attaches to HTTP listeners; requests for its hostnames go through its rules. */
public record HttpRouteSpec(List<@Valid ParentReference> parentRefs, List<String> hostnames,
                            List<@Valid HttpRouteRule> rules) implements ResourceSpec {
    public HttpRouteSpec {
        parentRefs = Lists.copy(parentRefs);
        hostnames = Lists.copy(hostnames);
        rules = Lists.copy(rules);
    }
}
