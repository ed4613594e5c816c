package io.kshift.model.istio;

import jakarta.validation.Valid;

/** Istio's {@code headers}: edits to the request sent upstream and to the response returned to the client. */
public record Headers(@Valid HeaderOperations request, @Valid HeaderOperations response) {
}
