package io.kshift.model.gateway;

import io.kshift.model.Lists;
import io.kshift.model.constraint.RegexValue;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.util.List;

/** One {@code matches[]} entry: path, headers, query parameters and method must all hold. */
public record HttpRouteMatch(@Valid PathMatch path, List<@Valid ValueMatch> headers,
                             List<@Valid ValueMatch> queryParams, String method) {
    public HttpRouteMatch {
        headers = Lists.copy(headers);
        queryParams = Lists.copy(queryParams);
    }

    public enum PathType { Exact, PathPrefix, RegularExpression }

    public enum ValueType { Exact, RegularExpression }

    /** A path match; the type defaults to {@code PathPrefix} and the value to {@code /}. */
    public record PathMatch(PathType type, String value) {
        public PathType effectiveType() {
            return type == null ? PathType.PathPrefix : type;
        }

        public String effectiveValue() {
            return value == null ? "/" : value;
        }

        /** Bean-validated as a getter (so it must be named like one); not a field of the document. */
        @RegexValue
        @com.fasterxml.jackson.annotation.JsonIgnore
        public String getRegex() {
            return effectiveType() == PathType.RegularExpression ? value : null;
        }
    }

    /** A header or query parameter match; the type defaults to {@code Exact}. */
    public record ValueMatch(ValueType type, @NotBlank(message = "is required") String name,
                             @NotNull(message = "is required") String value) {
        /** Bean-validated as a getter (so it must be named like one); not a field of the document. */
        @RegexValue
        @com.fasterxml.jackson.annotation.JsonIgnore
        public String getRegex() {
            return type == ValueType.RegularExpression ? value : null;
        }
    }
}
