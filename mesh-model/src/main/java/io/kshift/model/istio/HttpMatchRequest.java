package io.kshift.model.istio;

import io.kshift.model.Lists;
import io.kshift.model.constraint.PortNumber;
import jakarta.validation.Valid;
import java.util.List;
import java.util.Map;

/**
 * One {@code match[]} block of an http route: every condition set must hold (AND); the blocks of a route are
 * OR-ed. Header names are matched case-insensitively, as HTTP defines them.
 */
public record HttpMatchRequest(
        String name,
        @Valid StringMatch uri,
        @Valid StringMatch scheme,
        @Valid StringMatch method,
        @Valid StringMatch authority,
        Map<String, @Valid StringMatch> headers,
        Map<String, @Valid StringMatch> withoutHeaders,
        Map<String, @Valid StringMatch> queryParams,
        @PortNumber Integer port,
        List<String> gateways,
        Boolean ignoreUriCase) {

    public HttpMatchRequest {
        headers = Lists.copy(headers);
        withoutHeaders = Lists.copy(withoutHeaders);
        queryParams = Lists.copy(queryParams);
        gateways = Lists.copy(gateways);
    }

    /** A block with no condition matches every request. */
    public boolean matchesEverything() {
        return uri == null && scheme == null && method == null && authority == null && headers.isEmpty()
                && withoutHeaders.isEmpty() && queryParams.isEmpty() && port == null && gateways.isEmpty();
    }
}
